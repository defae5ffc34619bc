"""Docker entry point: the action runs `python entrypoint.py`, which reads INPUT_* like the CLI."""

from tmsaction.__main__ import console_main

if __name__ == "__main__":
    console_main()

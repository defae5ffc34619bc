"""`python -m tmsaction sandbox`: serve the API emulators on loopback until interrupted."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from tmsaction.ghactions import Console
from tmsaction.pipeline import Services
from tmsaction.sandbox.registry import build_emulators
from tmsaction.sandbox.server import SandboxServer


def sandbox_command(
    args: list[str], env: dict[str, str], console: Console, cwd: Path, services: Services
) -> int:
    parser = argparse.ArgumentParser(prog="python -m tmsaction sandbox")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port",
        type=int,
        default=8700,
        help="first port; each emulator takes the next one (0: any free ports)",
    )
    options = parser.parse_args(args)
    servers: list[SandboxServer] = []
    for offset, emulator in enumerate(build_emulators()):
        port = options.port + offset if options.port else 0
        server = SandboxServer(emulator, options.host, port).start()
        servers.append(server)
        console.info(f"{emulator.name:>9}: {server.url}")
    console.info("Press Ctrl-C to stop.")
    try:
        threading.Event().wait()
    finally:
        for server in servers:
            server.stop()
    return 0

"""Keeping the cyclic garbage collector off the million test results. Pure; no I/O.

Reading, mapping and planning each build up to millions of long-lived objects and no reference
cycles; with the collector on, its generational passes would walk them all again every few
thousand allocations (a tenth of the parse, a quarter of the mapping: bench/parse.py,
bench/mapping.py). Those steps run with the collector paused, and the run sets what they built
aside (`gc.freeze`, in `pipeline.run`) so that later steps' collections never walk it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the `with` block; its state is restored after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

"""The plan: every change a run intends to make, as a value (`model.py`), built purely from the
mapping and the snapshots (`build.py`). `dry_run` renders it; the sinks execute it.
"""

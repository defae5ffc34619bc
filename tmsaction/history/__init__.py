"""What changed since the previous run: the previous run's outcomes (TestRail or a GitHub artifact),
the pure comparison with this run, and the one call the pipeline makes (`read.read_history`)."""

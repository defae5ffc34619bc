"""Report readers: one module per format, bytes in, `TestResult`s out; `collect` finds and merges."""

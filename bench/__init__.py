"""Benchmarks: scripts that print figures. Run them as modules, e.g. `python -m bench.batch_bench`."""

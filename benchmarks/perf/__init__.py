"""Performance benchmarks: each module is a script run as ``python -m benchmarks.perf.<name>``
that prints its figures (medians, ratios); none of them are timed assertions."""

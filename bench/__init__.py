"""Benchmarks of the hot paths; each script prints medians and ratios against a baseline
measured in the same run (see bench/README.md)."""

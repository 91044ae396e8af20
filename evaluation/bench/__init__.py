"""`qa-service bench`: the service's speed and resources next to the naive baseline (see cli.py)."""

from evaluation.bench.cli import main
from evaluation.bench.figures import BenchResults

__all__ = ["BenchResults", "main"]

"""The stopwatch and rounded percentiles the measurements share, and the progress lines they print."""

import sys
import time

from evaluation.load_client import percentile


def progress(message: str):
    """A timestamped line on stderr (stdout is kept for --json)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(function, *args):
    """`function(*args)` and the seconds it took."""
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def p50(values: list[float]) -> float:
    return round(percentile(values, 0.5), 3)


def p95(values: list[float]) -> float:
    return round(percentile(values, 0.95), 3)

"""Token-bucket rate limiting per key (client address, chat session)."""

import math
import time
from collections import OrderedDict
from threading import Lock


class TokenBucketLimiter:
    """Each key may spend `burst` requests at once and regains `rate` per second.

    >>> limiter = TokenBucketLimiter(rate=1, burst=2)
    >>> limiter.check("1.2.3.4")  # -> 0.0 when allowed, else seconds to wait
    """

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000, clock=time.monotonic):
        self.rate, self.burst, self.max_keys, self._clock = rate, burst, max_keys, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = Lock()

    def check(self, key: str) -> float:
        """Spend one token for `key`; return 0 if allowed, else the seconds until one is available."""
        now = self._clock()
        with self._lock:
            tokens, updated = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(self.burst, tokens + (now - updated) * self.rate)
            allowed = tokens >= 1
            self._buckets[key] = (tokens - 1 if allowed else tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return 0.0 if allowed else (1 - tokens) / self.rate


def retry_after_header(wait_seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(wait_seconds)))}

"""Service building blocks without a server: sessions, rate limiter, micro-batcher, feedback store."""

import asyncio

import numpy as np

from qa_service.api.batching import EmbeddingBatcher
from qa_service.api.ratelimit import TokenBucketLimiter, retry_after_header
from qa_service.conversation import SessionStore, Turn
from qa_service.feedback import FeedbackStore


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_sessions_expire_after_their_ttl_and_are_bounded():
    clock = FakeClock()
    store = SessionStore(ttl=60, max_sessions=3, clock=clock)
    first = store.get_or_create(None)
    store.record(first, Turn("a", "a", None))
    assert store.get_or_create(first.id) is first
    clock.now += 61
    assert store.get_or_create(first.id) is not first and len(store) == 1
    for _ in range(5):
        store.get_or_create(None)
    assert len(store) == 3


def test_token_bucket_allows_the_burst_then_tells_how_long_to_wait():
    clock = FakeClock()
    limiter = TokenBucketLimiter(rate=0.5, burst=2, clock=clock)
    assert [limiter.check("a"), limiter.check("a")] == [0.0, 0.0]
    wait = limiter.check("a")
    assert wait == 2.0 and retry_after_header(wait) == {"Retry-After": "2"}
    assert limiter.check("b") == 0.0  # other clients are not affected
    clock.now += 2
    assert limiter.check("a") == 0.0


def test_batcher_embeds_questions_that_arrive_together_in_one_call():
    calls = []

    def embed(questions):
        calls.append(list(questions))
        return np.arange(len(questions), dtype=np.float32)[:, None] + np.zeros((1, 4), np.float32)

    async def scenario():
        batcher = EmbeddingBatcher(embed, window_ms=20, max_batch=8)
        vectors = await asyncio.gather(*(batcher.embed(f"Frage {i}") for i in range(5)))
        await batcher.close()
        return vectors

    vectors = asyncio.run(scenario())
    assert len(calls) == 1 and len(calls[0]) == 5
    assert [int(v[0]) for v in vectors] == [0, 1, 2, 3, 4]


def test_batcher_passes_model_errors_to_every_waiting_request():
    def broken(_):
        raise RuntimeError("model failed")

    async def scenario():
        batcher = EmbeddingBatcher(broken, window_ms=5)
        results = await asyncio.gather(batcher.embed("a"), batcher.embed("b"), return_exceptions=True)
        await batcher.close()
        return results

    assert all(isinstance(result, RuntimeError) for result in asyncio.run(scenario()))


def test_feedback_is_kept_until_its_retention_ends(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite", retention_days=1)
    row = store.add("a1", "up", "gut", "Frage?", "Antwort.")
    assert [entry["id"] for entry in store.export()] == [row]
    store._db.execute("UPDATE feedback SET created_at = created_at - 2 * 86400")
    store.add("a2", "down", None, None, None)
    assert [entry["answer_id"] for entry in store.export()] == ["a2"]

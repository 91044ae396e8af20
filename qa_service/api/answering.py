"""Answer a question off the event loop, with the embedding from the shared micro-batcher."""

import time
import uuid

import anyio

from qa_service.api.schemas import AskResponse
from qa_service.api.state import Loaded, ServiceState
from qa_service.retrieve.retriever import Filters


async def answer_question(state: ServiceState, loaded: Loaded, question: str, filters: Filters,
                          mode: str | None = None, top_k: int | None = None) -> AskResponse:
    engine = loaded.engine
    started = time.perf_counter()
    vector = engine.query_cache.get(question)
    if vector is None and (mode or engine.settings.retrieval_mode) != "bm25":
        vector = await state.batcher.embed(question)
    embed_ms = (time.perf_counter() - started) * 1000
    answer = await anyio.to_thread.run_sync(engine.ask, question, mode, top_k, filters, vector,
                                            limiter=state.answer_threads)
    answer.timings_ms.embed = round(embed_ms, 3)
    answer.timings_ms.total = round(answer.timings_ms.total + embed_ms, 3)
    state.metrics.answers.labels(str(answer.abstained).lower()).inc()
    state.metrics.embedding_batches.set(state.batcher.batches)
    state.metrics.embedded_questions.set(state.batcher.questions)
    return AskResponse(**answer.model_dump(), answer_id=uuid.uuid4().hex)

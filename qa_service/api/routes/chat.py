"""POST /api/chat: a conversation turn, as JSON or as a stream of Server-Sent Events."""

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from qa_service.api.answering import answer_question
from qa_service.api.deps import LoadedDep, RateLimited, StateDep, checked_filters, clean_question
from qa_service.api.errors import ApiError, ErrorBody
from qa_service.api.ratelimit import retry_after_header
from qa_service.api.schemas import ChatRequest, ChatResponse
from qa_service.conversation import take_turn
from qa_service.ingest.sentences import split_sentences

router = APIRouter(tags=["answers"])


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def stream_answer(response: ChatResponse) -> AsyncIterator[str]:
    yield sse("sources", {"session_id": response.session_id, "answer_id": response.answer_id,
                          "abstained": response.abstained, "resolved_question": response.resolved_question,
                          "citations": [c.model_dump() for c in response.citations]})
    for sentence in split_sentences(response.answer):
        yield sse("delta", {"text": sentence + " "})
    yield sse("done", {"answer": response.answer, "abstained": response.abstained,
                       "timings_ms": response.timings_ms.model_dump()})


@router.post("/api/chat", response_model=ChatResponse, dependencies=[RateLimited],
             responses={200: {"content": {"text/event-stream": {}}},
                        400: {"model": ErrorBody}, 429: {"model": ErrorBody}, 503: {"model": ErrorBody}})
async def chat(body: ChatRequest, request: Request, state: StateDep, loaded: LoadedDep):
    """One turn of a conversation. Follow-ups inherit the city and topic of earlier turns
    ("Was macht Ulm bei der Mobilität?" → "Und Jena?"). With `Accept: text/event-stream` the answer
    streams as events `sources`, `delta` (one per sentence) and `done`."""
    message = clean_question(body.message, state.settings.max_question_chars, field="message")
    session = state.sessions.get_or_create(body.session_id)
    wait = state.session_limiter.check(session.id)
    if wait:
        state.metrics.rate_limited.labels("session").inc()
        raise ApiError(429, "rate_limited", "Zu viele Nachrichten in diesem Gespräch. Bitte kurz warten.",
                       "Too many messages in this conversation. Please wait a moment.",
                       headers=retry_after_header(wait))
    explicit_city = checked_filters(loaded, body.city, None, None).city
    previous = session.turns[-1] if session.turns else None
    detector = loaded.engine.retriever.detector
    resolved, turn = take_turn(message, previous, detector, explicit_city)
    answer = await answer_question(state, loaded, resolved.question, checked_filters(loaded, resolved.city, None, None))
    state.sessions.record(session, turn)
    state.metrics.sessions.set(len(state.sessions))
    response = ChatResponse(**answer.model_dump(), session_id=session.id, resolved_question=resolved.question)
    if "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(stream_answer(response), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    return response

"""Typed dependencies and request checks shared by the routers."""

import re
from typing import Annotated

from fastapi import Depends, Request

from qa_service.api.errors import ApiError
from qa_service.api.middleware import client_key
from qa_service.api.ratelimit import retry_after_header
from qa_service.api.state import Loaded, ServiceState
from qa_service.retrieve.retriever import Filters

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


def get_state(request: Request) -> ServiceState:
    return request.app.state.service


def get_loaded(state: Annotated[ServiceState, Depends(get_state)]) -> Loaded:
    return state.require_loaded()


def rate_limited(request: Request, state: Annotated[ServiceState, Depends(get_state)]) -> None:
    """Per-client token bucket for the question endpoints."""
    wait = state.ip_limiter.check(client_key(request.scope))
    if wait:
        state.metrics.rate_limited.labels("ip").inc()
        raise ApiError(429, "rate_limited", "Zu viele Anfragen. Bitte kurz warten.",
                       "Too many requests. Please wait a moment.", headers=retry_after_header(wait))


StateDep = Annotated[ServiceState, Depends(get_state)]
LoadedDep = Annotated[Loaded, Depends(get_loaded)]
RateLimited = Depends(rate_limited)


def clean_question(text: str, max_chars: int, field: str = "question") -> str:
    """Strip control characters and surrounding space; reject empty or too long text with a 400."""
    cleaned = " ".join(CONTROL_CHARACTERS.sub(" ", text).split())
    if not cleaned:
        raise ApiError(400, "question_empty", "Bitte eine Frage eingeben.", "Please enter a question.",
                       details={"field": field})
    if len(cleaned) > max_chars:
        raise ApiError(400, "question_too_long", f"Die Frage ist zu lang (höchstens {max_chars} Zeichen).",
                       f"The question is too long (at most {max_chars} characters).",
                       details={"field": field, "max_chars": max_chars})
    return cleaned


def checked_filters(loaded: Loaded, city: str | None, state: str | None, doc_type: str | None) -> Filters:
    """Filters with every value checked against the index; unknown values get a 400 naming the choices."""
    retriever = loaded.engine.retriever
    if city and retriever.resolve_city(city) is None:
        raise ApiError(400, "unknown_city", f"Unbekannte Stadt: {city!r}.", f"Unknown city: {city!r}.",
                       details={"valid": sorted(loaded.catalog.cities)})
    if state and state not in retriever.states:
        raise ApiError(400, "unknown_state", f"Unbekanntes Bundesland: {state!r}.", f"Unknown state: {state!r}.",
                       details={"valid": retriever.states})
    if doc_type and doc_type not in retriever.doc_types:
        raise ApiError(400, "unknown_type", f"Unbekannter Dokumenttyp: {doc_type!r}.",
                       f"Unknown document type: {doc_type!r}.", details={"valid": retriever.doc_types})
    return Filters(city=city, state=state, doc_type=doc_type)

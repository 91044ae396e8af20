"""Admin endpoints, open only with the API key from QA_ADMIN_KEY (disabled without one)."""

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from starlette.concurrency import run_in_threadpool

from qa_service.api.deps import StateDep
from qa_service.api.errors import ApiError, ErrorBody
from qa_service.engine import QAEngine
from qa_service.ingest.pipeline import ingest

router = APIRouter(tags=["admin"], responses={401: {"model": ErrorBody}, 404: {"model": ErrorBody}})


def require_admin(state: StateDep, x_api_key: Annotated[str | None, Header()] = None):
    configured = state.settings.admin_key
    if not configured:
        raise ApiError(404, "admin_disabled", "Die Verwaltung ist nicht eingeschaltet.",
                       "Admin endpoints are disabled (QA_ADMIN_KEY is not set).")
    if not x_api_key or not hmac.compare_digest(x_api_key.encode(), configured.encode()):
        raise ApiError(401, "unauthorized", "Ungültiger oder fehlender API-Schlüssel.",
                       "Missing or invalid API key (header X-API-Key).")


@router.post("/api/admin/reindex", dependencies=[Depends(require_admin)], responses={409: {"model": ErrorBody}})
async def reindex(state: StateDep) -> dict:
    """Rebuild the index from the corpus aside, then swap it in atomically; requests keep being served."""
    if not state.reindex_lock.acquire(blocking=False):
        raise ApiError(409, "reindex_running", "Es läuft bereits eine Neuindizierung.", "A reindex is already running.")
    try:
        report = await run_in_threadpool(ingest, state.settings, state.embedder)
        engine = await run_in_threadpool(QAEngine.load, state.settings, state.embedder)
        state.swap(engine)
    finally:
        state.reindex_lock.release()
    return {"documents": report.documents, "chunks": report.chunks, "embedded": report.embedded,
            "seconds": round(report.seconds, 2), "skipped": [f"{s.path}: {s.reason}" for s in report.skipped]}


@router.get("/api/admin/feedback", dependencies=[Depends(require_admin)])
async def export_feedback(state: StateDep) -> list[dict]:
    """Every stored feedback entry, oldest first."""
    return await run_in_threadpool(state.feedback.export)

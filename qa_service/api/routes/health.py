"""Liveness, readiness and Prometheus metrics."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from qa_service.api.deps import StateDep
from qa_service.api.schemas import Health

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
async def readyz(state: StateDep):
    """Ready when the index is loaded and the model is warm; otherwise 503 with the reason."""
    loaded = state.loaded
    if loaded is None:
        return JSONResponse(Health(status="not ready", ready=False, reason=state.not_ready_reason).model_dump(),
                            status_code=503)
    return Health(status="ready", ready=True, chunks=len(loaded.engine.index.chunks),
                  model=loaded.engine.index.manifest.model)


@router.get("/metrics", response_class=Response)
async def metrics(state: StateDep) -> Response:
    """Prometheus text format: requests and latency per route, abstentions, index size, sessions."""
    state.metrics.sessions.set(len(state.sessions))
    return Response(state.metrics.render(), media_type="text/plain; version=0.0.4")

"""The FastAPI application: routers, middleware, error handlers, and background loading of the engine."""

import asyncio
from contextlib import asynccontextmanager

from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from qa_service.api.errors import ErrorBody, install_error_handlers
from qa_service.api.middleware import ServiceMiddleware
from qa_service.api.routes import admin, ask, chat, cities, feedback, health, search, web
from qa_service.api.state import ServiceState
from qa_service.config import Settings, get_settings


def create_app(settings: Settings | None = None, state: ServiceState | None = None) -> FastAPIOffline:
    """Build the app; the index and model load in the background, /readyz tells when they are in."""
    state = state or ServiceState(settings or get_settings())

    @asynccontextmanager
    async def lifespan(_):
        if state.loaded is None:
            asyncio.get_running_loop().run_in_executor(None, state.load)
        yield
        await state.batcher.close()

    app = FastAPIOffline(
        title="qa_service – Smart-City-Atlas Q&A",
        description="Questions about the 50 cities of the 2019 Smart-City-Atlas, answered with cited sources.",
        version="0.1.0", lifespan=lifespan,
        responses={status: {"model": ErrorBody} for status in (400, 413, 422, 500)})
    app.state.service = state
    install_error_handlers(app)
    for module in (ask, chat, search, cities, feedback, admin, health, web):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=web.WEB_DIR), name="static")
    app.add_middleware(CORSMiddleware, allow_origins=state.settings.allowed_origins, allow_credentials=False,
                       allow_methods=["GET", "POST"], allow_headers=["Content-Type", "Accept"],
                       expose_headers=["Retry-After"], max_age=600)
    app.add_middleware(ServiceMiddleware, state=state)
    return app

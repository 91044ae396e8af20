"""The chat page, its assets and the embeddable widget."""

from fastapi import APIRouter
from fastapi.responses import FileResponse

from qa_service.config import ROOT

WEB_DIR = ROOT / "web"
router = APIRouter(include_in_schema=False)


@router.get("/")
async def chat_page() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})


@router.get("/widget.js")
async def widget() -> FileResponse:
    return FileResponse(WEB_DIR / "widget.js", media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin"})


@router.get("/api/widget/ping")
async def widget_ping() -> dict:
    """Lets the widget tell "origin not allowed" (CORS refusal) from "service unreachable"."""
    return {"ok": True}

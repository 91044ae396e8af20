"""The chat page, its assets and the embeddable widget."""

from functools import lru_cache

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from qa_service.config import ROOT

WEB_DIR = ROOT / "web"
router = APIRouter(include_in_schema=False)

@lru_cache(maxsize=1)
def widget_script() -> str:
    """The widget as one self-contained script: web/shared.js and web/widget.js in one closure,
    so that QAShared stays private and window.QAWidget is the only global (joined once)."""
    shared = (WEB_DIR / "shared.js").read_text(encoding="utf-8")
    body = (WEB_DIR / "widget.js").read_text(encoding="utf-8")
    return "(function () {\n" + shared + "\n" + body + "\n})();\n"


@router.get("/")
async def chat_page() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})


@router.get("/widget.js")
async def widget() -> Response:
    return Response(widget_script(), media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin"})


@router.get("/api/widget/ping")
async def widget_ping() -> dict:
    """Lets the widget tell "origin not allowed" (CORS refusal) from "service unreachable"."""
    return {"ok": True}

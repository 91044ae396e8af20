"""Cross-cutting HTTP concerns: body size limit, origin allowlist, security headers, metrics, privacy-safe logs."""

import hashlib
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa_service.api.errors import ApiError, error_response
from qa_service.api.state import ServiceState

log = logging.getLogger("qa_service.access")


def body_too_large(limit: int) -> ApiError:
    return ApiError(413, "body_too_large", "Die Anfrage ist zu groß.", "The request body is too large.",
                    details={"max_bytes": limit})


PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'self'")
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


def client_key(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def anonymised(address: str) -> str:
    """A short salted hash of a client address: enough to tell clients apart, not to identify them."""
    return hashlib.sha256(f"qa-service:{address}".encode()).hexdigest()[:12]


def request_origin(scope: Scope) -> str | None:
    headers = dict(scope.get("headers") or [])
    origin = headers.get(b"origin")
    return origin.decode("latin-1").rstrip("/") if origin else None


def own_origin(scope: Scope) -> str:
    headers = dict(scope.get("headers") or [])
    host = headers.get(b"host", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}"


class ServiceMiddleware:
    """Pure ASGI middleware (keeps streaming responses streaming)."""

    def __init__(self, app: ASGIApp, state: ServiceState):
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        started = time.perf_counter()
        status_holder = {"status": 500}
        metrics = self.state.metrics

        async def send_with_headers(message: Message):
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"strict-origin-when-cross-origin")]
                if path.startswith(("/docs", "/redoc")):
                    headers.append((b"content-security-policy", DOCS_CSP.encode()))
                elif not path.startswith("/widget.js"):
                    headers.append((b"content-security-policy", PAGE_CSP.encode()))
                message["headers"] = headers
            await send(message)

        try:
            refusal = self._refusal(scope)
            body_receive = await self._buffered_receive(scope, receive) if refusal is None else receive
            if body_receive is None:
                refusal = body_too_large(self.state.settings.max_body_bytes)
            if refusal is not None:
                return await error_response(refusal)(scope, receive, send_with_headers)
            await self.app(scope, body_receive, send_with_headers)
        finally:
            route = scope.get("route")
            route_name = getattr(route, "path", None) or ("static" if path.startswith("/static") else "unmatched")
            elapsed = time.perf_counter() - started
            metrics.requests.labels(route_name, scope["method"], str(status_holder["status"])).inc()
            metrics.latency.labels(route_name).observe(elapsed)
            log.info("%s %s %s %.1fms client=%s", scope["method"], path, status_holder["status"],
                     elapsed * 1000, anonymised(client_key(scope)))

    def _refusal(self, scope: Scope) -> ApiError | None:
        origin = request_origin(scope)
        if (scope["path"].startswith("/api/") and origin and origin != own_origin(scope)
                and origin not in self.state.settings.allowed_origins):
            return ApiError(403, "origin_not_allowed",
                            "Diese Website darf den Dienst nicht einbinden.",
                            "This website is not allowed to use the service.", details={"origin": origin})
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.state.settings.max_body_bytes):
            return body_too_large(self.state.settings.max_body_bytes)
        return None

    async def _buffered_receive(self, scope: Scope, receive: Receive) -> Receive | None:
        """For a body sent without Content-Length (chunked), read it whole first, up to the limit;
        None when it is larger. Bodies here are small, so buffering costs nothing."""
        headers = dict(scope.get("headers") or [])
        if scope["method"] not in ("POST", "PUT", "PATCH") or b"content-length" in headers:
            return receive
        limit, messages, seen = self.state.settings.max_body_bytes, [], 0
        while True:
            message = await receive()
            messages.append(message)
            seen += len(message.get("body", b""))
            if seen > limit:
                return None
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        return replay

"""One error shape for every failure: {"error": {"code", "message_de", "message_en", "details"?}}."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException


class ErrorDetail(BaseModel):
    code: str
    message_de: str
    message_en: str
    details: dict | list | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """An error a caller can act on, with a German and an English message."""

    def __init__(self, status: int, code: str, message_de: str, message_en: str,
                 details: dict | list | None = None, headers: dict[str, str] | None = None):
        self.status, self.headers = status, headers
        self.body = ErrorBody(error=ErrorDetail(code=code, message_de=message_de, message_en=message_en,
                                                details=details))


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body.model_dump(exclude_none=True), status_code=error.status, headers=error.headers)


STATUS_MESSAGES = {
    400: ("invalid_request", "Die Anfrage konnte nicht gelesen werden.", "The request body could not be read."),
    404: ("not_found", "Diese Adresse gibt es nicht.", "There is nothing at this address."),
    405: ("method_not_allowed", "Diese Methode ist hier nicht erlaubt.", "This method is not allowed here."),
    413: ("body_too_large", "Die Anfrage ist zu groß.", "The request body is too large."),
}


def _readable(errors: list[dict]) -> list[dict]:
    return [{"field": ".".join(str(part) for part in error.get("loc", ()) if part != "body"),
             "problem": error.get("msg", "")} for error in errors]


def install_error_handlers(app: FastAPI):
    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError):
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, error: RequestValidationError):
        problems = _readable(error.errors())
        summary = "; ".join(f"{p['field'] or 'body'}: {p['problem']}" for p in problems)
        return error_response(ApiError(
            422, "invalid_request", f"Die Anfrage ist ungültig ({summary}).",
            f"The request is invalid ({summary}).", details=problems))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException):
        code, german, english = STATUS_MESSAGES.get(
            error.status_code, ("http_error", "Die Anfrage konnte nicht bearbeitet werden.", str(error.detail)))
        return error_response(ApiError(error.status_code, code, german, english, headers=error.headers))

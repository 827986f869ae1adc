"""Errors in plain Chinese, never a stack trace: JSON under /api, an HTML page elsewhere."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from portal.rendering import render
from portal.security import BUSY, MESSAGES, security_headers, wants_json

log = logging.getLogger("majorwatch.portal")

FIELD_NAMES = {"limit": "每页条数", "offset": "跳过条数", "q": "检索词", "token": "令牌",
               "guidance": "指导类别", "warning_level": "预警等级", "school_q": "学校检索词",
               "school_offset": "学校跳过条数", "certainty": "观察名单（结论确定性）", "cause": "主要原因",
               "major": "专业代码", "school": "学校代码"}


def error_response(request: Request, status: int, message: str,
                   headers: dict[str, str] | None = None) -> Response:
    """One error answer: ``{"detail": message}`` for the API, the error page (or sign-in) for pages."""
    if wants_json(request.url.path):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    template = "signin.html" if status == 401 else "error.html"
    response = render(request, template, {"message": message, "status": status}, status)
    response.headers.update(headers or {})
    return response


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else None
    message = detail or MESSAGES.get(exc.status_code, "请求失败。")
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() in ("www-authenticate", "allow")}
    return error_response(request, exc.status_code, message, headers)


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    names = []
    for err in exc.errors():
        field = str(err.get("loc", ["", ""])[-1])
        names.append(FIELD_NAMES.get(field, field))
    fields = "、".join(dict.fromkeys(n for n in names if n))
    return error_response(request, 422, MESSAGES[422] + (f"请检查：{fields}。" if fields else ""))


async def store_busy(request: Request, exc: OperationalError) -> Response:
    """The review store is locked or unreachable: 503 with 请稍后重试 (never a 500 after a long wait)."""
    log.warning("review store busy on %s %s: %s", request.method, request.url.path, exc.orig)
    return error_response(request, 503, BUSY, {"Retry-After": "1"})


async def server_error(request: Request, exc: Exception) -> Response:
    """Unexpected failure: logged with its traceback here, a plain sentence for the user."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    response = error_response(request, 500, MESSAGES[500])
    for name, value in security_headers(request.app.state.secure_cookies):
        response.headers[name] = value
    return response


def install(app: FastAPI) -> None:
    """Register the handlers for 4xx/5xx on the app."""
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(OperationalError, store_busy)
    app.add_exception_handler(Exception, server_error)

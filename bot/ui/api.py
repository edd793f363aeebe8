"""The HTTP API on the web app's server: ``POST /api/ask`` and ``GET /api/health``.

``/api/ask`` takes ``{"question": str, "history": [{"role", "content"}], "backend": str}`` (only the
question is required) and returns ``Answer.to_json()`` — the ``ask --json`` object. When
``ui.require_login_for_chat`` is on it needs HTTP Basic credentials of a configured account.
"""

from __future__ import annotations

import logging
import typing
from typing import Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, Field

from bot.answering import pipeline
from bot.indexing.index import Index
from bot.settings import AnswerSettings, Settings
from bot.ui import auth
from bot.ui.ratelimit import RateLimiter

log = logging.getLogger(__name__)

BACKENDS: tuple[str, ...] = typing.get_args(AnswerSettings.model_fields["backend"].annotation)


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    question: str = Field(min_length=1)  # too long: answered with a message by the pipeline
    history: list[Turn] = Field(default_factory=list, max_length=40)
    backend: str | None = None


def build_router(settings: Settings, index: Index, limiter: RateLimiter) -> APIRouter:
    router = APIRouter(prefix="/api")
    basic = HTTPBasic(auto_error=False)

    def account(credentials: HTTPBasicCredentials | None = Depends(basic)) -> str:
        if not settings.ui.require_login_for_chat:
            return ""
        found = auth.authenticate(settings.ui, credentials.username, credentials.password) if credentials else None
        if found is None:
            raise HTTPException(status_code=401, detail="Cần đăng nhập (HTTP Basic) bằng một tài khoản được cấu hình.",
                                headers={"WWW-Authenticate": 'Basic realm="hoidap", charset="UTF-8"'})
        return found.name

    @router.post("/ask")
    def ask(request: AskRequest, http: Request, user: str = Depends(account)) -> dict:
        wait = limiter.wait_seconds(http.client.host if http.client else "")
        if wait:
            raise HTTPException(status_code=429, detail=limiter.message(wait), headers={"Retry-After": str(wait)})
        chosen = settings
        if request.backend:
            if request.backend not in BACKENDS:
                raise HTTPException(status_code=400, detail=(f"Chế độ trả lời không hợp lệ: {request.backend!r}; "
                                                             f"chọn một trong {', '.join(BACKENDS)}."))
            chosen = settings.model_copy(
                update={"answer": settings.answer.model_copy(update={"backend": request.backend})})
        history = [turn.model_dump() for turn in request.history]
        result = pipeline.answer(request.question, history, settings=chosen, index=index)
        log.info("api ask%s: %r -> %s", f" ({user})" if user else "", request.question[:80], result.backend)
        return result.to_json()

    @router.get("/health")
    def health() -> dict:
        documents = index.catalog.documents()
        return {
            "status": "ok",
            "documents": len(documents),
            "chunks": sum(d["chunks"] for d in documents),
            "failed": len(index.catalog.failures()),
            "backend": settings.answer.backend,
            "require_login_for_chat": settings.ui.require_login_for_chat,
        }

    return router


def install(app: FastAPI, settings: Settings, index: Index, limiter: RateLimiter | None = None) -> None:
    """Add the API routes (before Gradio is mounted at '/') and Vietnamese errors for bad requests."""
    app.include_router(build_router(settings, index, limiter or RateLimiter(settings.ui.rate_limit)))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
            problems.append(f"{where}: {error.get('msg', '')}")
        return JSONResponse(status_code=422, content={
            "detail": "Yêu cầu không hợp lệ (cần JSON có trường \"question\" là chuỗi không rỗng).",
            "errors": problems})


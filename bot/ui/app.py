"""The web app: one FastAPI server with the HTTP API (``/api/…``) and the Gradio page mounted at ``/``.

Tabs: ``chat.py`` (questions and cited answers), ``library.py`` (documents and feedback, for admins),
``trainer.py`` (cited Q&A and quizzes for training classes), ``evaluation.py`` (test-set runs and their
reports, for admins); ``auth.py`` (accounts and the login panel), ``api.py`` (HTTP API),
``ratelimit.py`` (questions per client). This module only wires them.
"""

from __future__ import annotations

import logging
import threading

import gradio as gr
from fastapi import FastAPI

from bot.answering import pipeline
from bot.feedback import FeedbackStore, feedback_path
from bot.indexing.index import Index
from bot.settings import Settings
from bot.ui import api, auth
from bot.ui.chat import Examples, build_chat, load_examples
from bot.ui.evaluation import build_evaluation
from bot.ui.library import build_library
from bot.ui.ratelimit import RateLimiter
from bot.ui.style import CSS
from bot.ui.trainer import build_trainer

log = logging.getLogger(__name__)

TITLE_VI = "Hỏi đáp Dân vận"
INTRO_VI = ("Hỏi về công tác dân vận, Luật Thực hiện dân chủ ở cơ sở và các văn bản đã nạp. "
            "Mỗi câu trả lời dẫn nguồn đến đúng đoạn văn bản; khi tài liệu không có thông tin, trợ lý sẽ nói rõ.")


def build_blocks(settings: Settings, index: Index, feedback: FeedbackStore,
                 limiter: RateLimiter | None = None) -> gr.Blocks:
    ui = settings.ui
    limiter = limiter or RateLimiter(ui.rate_limit)
    examples = Examples(settings, index)
    # Pick the example questions (and load the embedding model) now, not at the first page load.
    threading.Thread(target=examples.get, name="examples", daemon=True).start()
    with gr.Blocks(title=TITLE_VI, analytics_enabled=False) as blocks:
        session = gr.State(None)  # None, or {"user", "admin"} after signing in (server-side, per page)
        with gr.Column(elem_id="hd-header"):
            gr.Markdown(f"# {TITLE_VI}\n{INTRO_VI}")
            with gr.Accordion("👤 Đăng nhập", open=ui.require_login_for_chat, elem_id="hd-login"):
                auth.build_login(ui, session)
        with gr.Tabs(elem_id="hd-tabs"):
            with gr.Tab("💬 Hỏi đáp", id="chat", elem_id="hd-tab-chat"):
                chat = build_chat(settings, index, session, feedback, examples, limiter)
            with gr.Tab("📚 Thư viện tài liệu", id="library", elem_id="hd-tab-library"):
                build_library(settings, index, session, feedback)
            with gr.Tab("📝 Soạn câu hỏi", id="trainer", elem_id="hd-tab-trainer"):
                build_trainer(settings, index, session)
            with gr.Tab("📊 Đánh giá", id="eval", elem_id="hd-tab-eval"):
                build_evaluation(settings, index, session)
        blocks.load(load_examples(chat), None, chat.chatbot, api_visibility="private", show_progress="hidden")

        if not ui.require_login_for_chat:
            def ask(question: str, history: list[dict] | None = None, backend: str | None = None,
                    request: gr.Request = None) -> dict:
                """Answer a Vietnamese question from the indexed documents (the `ask --json` object)."""
                wait = limiter.wait_seconds(request.client.host if request and request.client else "")
                if wait:
                    raise gr.Error(limiter.message(wait))
                chosen = settings
                if backend:
                    if backend not in api.BACKENDS:
                        raise gr.Error(f"Chế độ trả lời không hợp lệ: {backend}")
                    chosen = settings.model_copy(
                        update={"answer": settings.answer.model_copy(update={"backend": backend})})
                return pipeline.answer(question, history or [], settings=chosen, index=index).to_json()

            gr.api(ask, api_name="ask", concurrency_limit=ui.chat_concurrency, concurrency_id="chat")
    return blocks


def build_app(settings: Settings | None = None, index: Index | None = None) -> FastAPI:
    """The server: API routes first, then Gradio at '/'. Builds the index on first use."""
    settings = settings or Settings()
    index = index or pipeline.get_index(settings)
    feedback = FeedbackStore(feedback_path(settings.index_dir))
    app = FastAPI(title=TITLE_VI, docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json")
    limiter = RateLimiter(settings.ui.rate_limit)  # one budget per client across the page and the API
    api.install(app, settings, index, limiter)
    blocks = build_blocks(settings, index, feedback, limiter)
    blocks.queue(default_concurrency_limit=1)
    max_mb = settings.ingest.max_file_mb
    return gr.mount_gradio_app(app, blocks, path="/", footer_links=[], css=CSS, show_error=True,
                               max_file_size=f"{int(max_mb * 1.1) + 1}mb", ssr_mode=False)


def launch(settings: Settings | None = None, host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    settings = settings or Settings()
    app = build_app(settings)
    print(f"* {TITLE_VI}: http://{host}:{port}/  (API: /api/ask, /api/health)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")

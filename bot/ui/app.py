"""Gradio chat page over ``answer()``: a thin layer, no logic of its own."""

from __future__ import annotations

import html
import logging

import gradio as gr

from bot.answering.pipeline import answer, get_index
from bot.answering.types import Answer
from bot.settings import Settings

log = logging.getLogger(__name__)

TITLE_VI = "Hỏi đáp Dân vận"
INTRO_VI = ("Hỏi về công tác dân vận, Luật Thực hiện dân chủ ở cơ sở và các văn bản đã nạp. "
            "Mỗi câu trả lời dẫn nguồn đến đúng đoạn văn bản; khi tài liệu không có thông tin, trợ lý sẽ nói rõ.")
EXAMPLES_VI = [
    "Thành viên Ban Thanh tra nhân dân ở xã có được đồng thời là cán bộ, công chức cấp xã không?",
    "Hương ước, quy ước là gì?",
    "Năm 2021 MTTQ và các tổ chức CT-XH đã làm được gì?",
    "luat thuc hien dan chu o co so co hieu luc tu ngay nao",
]
SOURCES_HEADER_VI = "Nguồn trích dẫn"


def render_sources(result: Answer) -> str:
    """Citations as a Markdown list: document, Điều/khoản or page, and the quoted passage (escaped)."""
    if not result.citations:
        return ""
    lines = [f"\n\n**{SOURCES_HEADER_VI}:**"]
    for c in result.citations:
        where = c.heading or c.title
        if c.page:
            where += f", trang {c.page}"
        quote = html.escape(c.quote if len(c.quote) <= 300 else c.quote[:300] + "…")
        lines.append(f"- **[{c.n}]** {html.escape(where)} — *{html.escape(c.title)}*  \n  > {quote}")
    return "\n".join(lines)


def build_app(settings: Settings) -> gr.Blocks:
    index = get_index(settings)

    def respond(message: str, history: list[dict]) -> str:
        turns = [{"role": t["role"], "content": t["content"] if isinstance(t["content"], str) else ""}
                 for t in history if t.get("role") in ("user", "assistant")]
        result = answer(message, turns, settings=settings, index=index)
        return html.escape(result.text) + render_sources(result)

    with gr.Blocks(title=TITLE_VI) as app:
        gr.Markdown(f"# {TITLE_VI}\n{INTRO_VI}")
        gr.ChatInterface(
            fn=respond,
            examples=EXAMPLES_VI,
            textbox=gr.Textbox(placeholder="Nhập câu hỏi…", submit_btn="Gửi"),
            chatbot=gr.Chatbot(label="Trò chuyện", height=560),
        )
    return app


def launch(settings: Settings | None = None, host: str = "127.0.0.1", port: int = 7860) -> None:
    settings = settings or Settings()
    build_app(settings).launch(server_name=host, server_port=port, show_error=True)

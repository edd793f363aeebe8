"""The chat tab: questions in, cited answers out (streamed), sources, feedback, exports.

Every answer comes from ``bot.answering.pipeline`` (``answer_stream`` when it exists, else ``answer``).
The conversation lives in the page session's server-side state as records
{"id", "question", "answer": Answer.to_json(), "rating"}; the chat messages are their HTML (render.py).
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from bot.answering import pipeline
from bot.answering.types import Answer
from bot.feedback import FeedbackStore
from bot.indexing.index import Index
from bot.settings import Settings
from bot.ui import auth
from bot.ui.export import conversation_docx, conversation_markdown
from bot.ui.ratelimit import RateLimiter
from bot.ui.render import (
    answer_html,
    document_html,
    draft_html,
    passage_html,
    question_html,
)

log = logging.getLogger(__name__)

PLACEHOLDER_VI = ("**Hỏi về công tác dân vận và các văn bản trong thư viện.**  \n"
                  "Mỗi câu trả lời dẫn nguồn đến đúng đoạn văn bản; bấm vào nguồn để xem đoạn trích.")
LOGIN_NEEDED_VI = "🔒 Hãy đăng nhập (mục **Đăng nhập** ở đầu trang) để sử dụng hỏi đáp."
ERROR_VI = "Đã có lỗi khi trả lời câu hỏi này. Vui lòng thử lại sau."

# Questions for the demo corpus; each is shown only when the loaded corpus answers it.
DEMO_EXAMPLES_VI = [
    "Hương ước, quy ước là gì?",
    "Thành viên Ban Thanh tra nhân dân ở xã có được đồng thời là cán bộ, công chức cấp xã không?",
    "Luật Thực hiện dân chủ ở cơ sở có hiệu lực từ ngày nào?",
    "Năm 2021 MTTQ và các tổ chức CT-XH đã làm được gì?",
    "Những hành vi nào bị nghiêm cấm trong thực hiện dân chủ ở cơ sở?",
]
_DOC_KINDS = ("Luật", "Nghị định", "Nghị quyết", "Thông tư", "Quyết định", "Chỉ thị", "Kết luận", "Quy định",
              "Hướng dẫn", "Pháp lệnh", "Quy chế")


def _stream(question: str, history: list[dict], settings: Settings, index: Index):
    """Text deltas then the final Answer: ``answer_stream`` when the pipeline has it, else ``answer``."""
    stream = getattr(pipeline, "answer_stream", None)
    if stream is not None:
        yield from stream(question, history, settings=settings, index=index)
    else:
        yield pipeline.answer(question, history, settings=settings, index=index)


def history_of(records: list[dict]) -> list[dict]:
    turns: list[dict] = []
    for record in records:
        turns.append({"role": "user", "content": record["question"]})
        turns.append({"role": "assistant", "content": record["answer"].get("answer", "")})
    return turns


def text_steps(text: str, size: int) -> list[str]:
    """Growing prefixes of text, cut after whitespace, about ``size`` characters apart."""
    steps, position = [], 0
    while position < len(text):
        cut = min(len(text), position + max(1, size))
        space = text.find(" ", cut)
        position = len(text) if space == -1 or space - cut > 16 else space + 1
        steps.append(text[:position])
    return steps


def answer_events(question: str, turns: list[dict], settings: Settings, index: Index,
                  min_interval_s: float = 0.08, step_pause_s: float = 0.015):
    """What the chat shows while a question is answered: ("draft", html) events, then ("done", record).

    A model's deltas are shown as an unchecked draft as they come; an answer that comes whole
    (extractive, refusal) is shown in growing steps, so the page always streams. The record holds
    the checked ``Answer`` as JSON: {"id", "question", "answer", "rating", "at"}.
    """
    result: Answer | None = None
    draft, shown_at = "", 0.0
    for item in _stream(question, history_of(turns), settings, index):
        if isinstance(item, Answer):
            result = item
            continue
        draft += item
        if time.monotonic() - shown_at > min_interval_s:
            shown_at = time.monotonic()
            yield "draft", draft_html(draft, checking=True)
    if result is None:
        raise RuntimeError("the answer stream ended without an Answer")
    if not draft:
        for prefix in text_steps(result.text, settings.ui.stream_chunk_chars):
            yield "draft", draft_html(prefix)
            time.sleep(step_pause_s)
    yield "done", {"id": "a" + uuid.uuid4().hex[:12], "question": question, "answer": result.to_json(),
                   "rating": None, "at": time.time()}


# --- Example questions for the loaded corpus ----------------------------------------------------


class Examples:
    """Example questions that the loaded corpus answers, recomputed when the library changes."""

    def __init__(self, settings: Settings, index: Index) -> None:
        self.settings = settings
        self.index = index
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._questions: list[str] = []

    def candidates(self) -> list[str]:
        found = list(DEMO_EXAMPLES_VI)
        for doc in self.index.catalog.documents():
            number = doc["meta"].get("number")
            kind = next((k for k in _DOC_KINDS if doc["title"].startswith(k)), None)
            if number and kind:
                found.append(f"{kind} {number} quy định những nội dung gì?")
        return found

    def get(self) -> list[str]:
        ui = self.settings.ui
        if ui.examples:
            return list(ui.examples)[:ui.max_examples]
        key = tuple(sorted(self.index.catalog.hashes().items()))
        with self._lock:
            if key != self._key:
                extractive = self.settings.model_copy(
                    update={"answer": self.settings.answer.model_copy(update={"backend": "extractive"})})
                chosen: list[str] = []
                for question in self.candidates():
                    if len(chosen) >= ui.max_examples:
                        break
                    try:
                        result = pipeline.answer(question, None, settings=extractive, index=self.index)
                    except Exception:  # noqa: BLE001 - an example that fails is just not shown
                        log.exception("example question failed: %s", question)
                        continue
                    if not result.refused and result.citations and not result.caution:
                        chosen.append(question)
                self._key, self._questions = key, chosen
            return list(self._questions)


# --- The tab -------------------------------------------------------------------------------------


@dataclass
class ChatTab:
    gate: gr.Markdown
    area: gr.Column
    chatbot: gr.Chatbot
    question: gr.Textbox
    records: gr.State
    examples: Examples


class _Exports:
    """Markdown and DOCX files of conversations, in a temporary folder; old ones are removed."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="hoidap-exports-"))

    def write(self, records: list[dict]) -> tuple[str, str]:
        self._prune()
        folder = self.root / uuid.uuid4().hex
        folder.mkdir()
        stamp = time.strftime("%Y%m%d-%H%M")
        md = folder / f"hoi-dap-dan-van-{stamp}.md"
        md.write_text(conversation_markdown(records), encoding="utf-8")
        docx = conversation_docx(records, folder / f"hoi-dap-dan-van-{stamp}.docx")
        return str(md), str(docx)

    def _prune(self, max_age_s: float = 6 * 3600) -> None:
        now = time.time()
        for folder in self.root.iterdir():
            try:
                if now - folder.stat().st_mtime > max_age_s:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                pass


def build_chat(settings: Settings, index: Index, session: gr.State, feedback: FeedbackStore,
               examples: Examples | None = None, limiter: RateLimiter | None = None) -> ChatTab:
    ui = settings.ui
    limiter = limiter or RateLimiter(ui.rate_limit)
    exports = _Exports()
    examples = examples or Examples(settings, index)
    allowed = auth.can_chat(ui, None)

    gate = gr.Markdown(LOGIN_NEEDED_VI, visible=not allowed, elem_id="hd-chat-gate")
    with gr.Column(visible=allowed, elem_id="hd-chat-area") as area:
        chatbot = gr.Chatbot(label="Trò chuyện", elem_id="hd-chat", height=540, buttons=[], feedback_options=None,
                             placeholder=PLACEHOLDER_VI, latex_delimiters=[], layout="bubble", show_label=False,
                             group_consecutive_messages=False)
        with gr.Row(equal_height=True, elem_id="hd-ask-row"):
            question = gr.Textbox(placeholder="Nhập câu hỏi… (Enter để gửi, Shift+Enter để xuống dòng)", lines=1,
                                  max_lines=6, show_label=False, elem_id="hd-question", scale=5, container=False,
                                  max_length=settings.answer.max_question_chars)
            send = gr.Button("Gửi", variant="primary", elem_id="hd-send", scale=0, min_width=80)
        with gr.Row(elem_id="hd-chat-tools"):
            regenerate = gr.Button("🔄 Tạo lại câu trả lời", size="sm", elem_id="hd-regenerate", min_width=120)
            clear = gr.Button("🗑️ Xóa hội thoại", size="sm", elem_id="hd-clear", min_width=120)
            md_download = gr.DownloadButton("⬇️ Tải Markdown", size="sm", interactive=False, elem_id="hd-export-md",
                                            min_width=120)
            docx_download = gr.DownloadButton("⬇️ Tải DOCX", size="sm", interactive=False, elem_id="hd-export-docx",
                                              min_width=120)
        with gr.Column(visible=False, elem_id="hd-feedback-box") as feedback_box:
            feedback_note = gr.Markdown("")
            with gr.Row(equal_height=True):
                comment = gr.Textbox(label="Góp ý thêm (không bắt buộc)", lines=2, elem_id="hd-feedback-comment",
                                     scale=4, max_length=2000)
                with gr.Column(scale=1, min_width=120):
                    send_comment = gr.Button("Gửi góp ý", size="sm", variant="primary", elem_id="hd-feedback-send")
                    skip_comment = gr.Button("Bỏ qua", size="sm", elem_id="hd-feedback-skip")
    # Receives the clicks on source chips and answer actions inside the chat messages (see render.py).
    bridge = gr.HTML("", js_on_load=BRIDGE_JS, elem_id="hd-bridge", container=False)
    with gr.Column(visible=False, elem_id="hd-viewer", elem_classes=["hd-overlay"]) as viewer:
        with gr.Row(elem_id="hd-viewer-bar", equal_height=True):
            viewer_label = gr.Markdown("**Đoạn trích dẫn**", elem_id="hd-viewer-label")
            full_text = gr.Button("📄 Xem toàn văn", size="sm", elem_id="hd-viewer-full", scale=0, min_width=150)
            close = gr.Button("✕ Đóng", size="sm", elem_id="hd-viewer-close", scale=0, min_width=90)
        viewer_html = gr.HTML("", elem_id="hd-viewer-body", js_on_load=VIEWER_JS)

    records = gr.State([])
    viewer_state = gr.State(None)
    pending_feedback = gr.State(None)

    def require_chat(current: dict | None) -> None:
        if not auth.can_chat(ui, current):
            raise gr.Error("Hãy đăng nhập để sử dụng hỏi đáp.", title="Cần đăng nhập")

    def run_turn(text: str, messages: list, turns: list[dict], current: dict | None, request: gr.Request):
        require_chat(current)
        text = (text or "").strip()
        wait = limiter.wait_seconds(request.client.host if request and request.client else "") if text else 0
        if wait:
            gr.Warning(limiter.message(wait), title="Chậm lại một chút")
        if not text or wait:
            yield gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
            return
        messages = list(messages or []) + [{"role": "user", "content": question_html(text)},
                                           {"role": "assistant", "content": draft_html("")}]
        turns = list(turns or [])
        yield messages, turns, "", gr.update(), gr.update(), gr.update(visible=False)
        try:
            for kind, value in answer_events(text, turns, settings, index):
                if kind == "draft":
                    messages[-1] = {"role": "assistant", "content": value}
                    yield messages, turns, gr.update(), gr.update(), gr.update(), gr.update()
                else:
                    record = value
        except Exception:  # noqa: BLE001 - the page must say something
            log.exception("answering %r failed", text)
            gr.Warning(ERROR_VI, title="Lỗi")
            yield messages[:-2], turns, text, gr.update(), gr.update(), gr.update()
            return
        turns = turns + [record]
        messages[-1] = {"role": "assistant", "content": answer_html(record)}
        md, docx = exports.write(turns)
        yield (messages, turns, gr.update(), gr.update(value=md, interactive=True),
               gr.update(value=docx, interactive=True), gr.update())

    def regenerate_last(messages: list, turns: list[dict], current: dict | None, request: gr.Request):
        require_chat(current)
        if not turns:
            gr.Info("Chưa có câu trả lời nào để tạo lại.")
            yield gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
            return
        yield from run_turn(turns[-1]["question"], list(messages)[:-2], turns[:-1], current, request)

    def clear_all():
        return ([], [], "", gr.update(value=None, interactive=False), gr.update(value=None, interactive=False),
                gr.update(visible=False), gr.update(visible=False), None, None)

    turn_outputs = [chatbot, records, question, md_download, docx_download, feedback_box]
    chat_events = dict(concurrency_limit=ui.chat_concurrency, concurrency_id="chat", show_progress="hidden")
    question.submit(run_turn, [question, chatbot, records, session], turn_outputs, api_visibility="private",
                    **chat_events)
    send.click(run_turn, [question, chatbot, records, session], turn_outputs, api_visibility="private", **chat_events)
    regenerate.click(regenerate_last, [chatbot, records, session], turn_outputs, api_visibility="private",
                     **chat_events)
    clear.click(clear_all, None, turn_outputs + [viewer, pending_feedback, viewer_state], api_visibility="private")
    chatbot.clear(clear_all, None, turn_outputs + [viewer, pending_feedback, viewer_state], api_visibility="private")

    def pick_example(evt: gr.SelectData) -> str:
        value = evt.value
        return value.get("text", "") if isinstance(value, dict) else str(value or "")

    chatbot.example_select(pick_example, None, question, api_visibility="private").then(
        run_turn, [question, chatbot, records, session], turn_outputs, api_visibility="private", **chat_events)

    # --- Source chips, ratings -------------------------------------------------------------------

    def find(turns: list[dict], answer_id: str) -> dict | None:
        return next((r for r in turns if r["id"] == answer_id), None)

    def citation_of(turns: list[dict], answer_id: str, n: int) -> dict | None:
        record = find(turns, answer_id)
        if record is None:
            return None
        return next((c for c in record["answer"].get("citations", []) if c["n"] == n), None)

    def show_source(state: dict, turns: list[dict]) -> str:
        citation = citation_of(turns, state["answer"], state["n"])
        if citation is None:
            return '<p class="hd-missing">Không tìm thấy nguồn này (hội thoại đã được xóa).</p>'
        doc = index.catalog.document(citation["doc"])
        if state["mode"] == "full":
            return document_html(doc, citation)
        return passage_html(doc, citation, ui.viewer_context_chars)

    def on_action(evt: gr.EventData, messages: list, turns: list[dict], current: dict | None):
        data = getattr(evt, "_data", None)
        ref = str(data.get("ref", "")) if isinstance(data, dict) else ""
        match = re.fullmatch(r"(cite|like|dislike)-(a[0-9a-f]{12})(?:-(\d+))?", ref)
        if not match:
            return {}
        action, answer_id, n = match.group(1), match.group(2), match.group(3)
        if action == "cite" and n:
            state = {"answer": answer_id, "n": int(n), "mode": "passage"}
            return {viewer: gr.update(visible=True), viewer_html: show_source(state, turns), viewer_state: state,
                    full_text: gr.update(value="📄 Xem toàn văn"),
                    viewer_label: f"**Nguồn [{n}]** — đoạn trích dẫn"}
        require_chat(current)
        record = find(turns, answer_id)
        if record is None:
            return {}
        rating = 1 if action == "like" else -1
        result = record["answer"]
        feedback_id = feedback.record(
            answer_id=answer_id, rating=rating, question=record["question"], answer=result.get("answer", ""),
            refused=bool(result.get("refused")), sources=result.get("citations", []),
            backend=result.get("backend", ""), history=history_of(turns[:turns.index(record)]),
            user=(current or {}).get("user", ""))
        record["rating"] = rating
        messages = [dict(m) for m in messages]
        marker = f'id="hd-answer-{answer_id}"'
        for message in messages:
            if message.get("role") == "assistant" and marker in str(message.get("content", "")):
                message["content"] = answer_html(record)
        note = ("Cảm ơn bạn! Câu trả lời được đánh dấu **hữu ích**." if rating > 0 else
                "Cảm ơn bạn! Câu trả lời được đánh dấu **chưa đúng** — hãy cho biết vì sao (không bắt buộc).")
        return {chatbot: messages, records: turns, pending_feedback: feedback_id, feedback_box: gr.update(visible=True),
                feedback_note: note, comment: ""}

    bridge.click(on_action, [chatbot, records, session],
                 [viewer, viewer_html, viewer_state, full_text, viewer_label, chatbot, records, pending_feedback,
                  feedback_box, feedback_note, comment], api_visibility="private")

    def toggle_full(state: dict | None, turns: list[dict]):
        if not state:
            return gr.update(), gr.update(), state, gr.update()
        state = dict(state, mode="passage" if state["mode"] == "full" else "full")
        label = "🔍 Chỉ xem đoạn trích" if state["mode"] == "full" else "📄 Xem toàn văn"
        title = (f"**Nguồn [{state['n']}]** — toàn văn" if state["mode"] == "full"
                 else f"**Nguồn [{state['n']}]** — đoạn trích dẫn")
        return show_source(state, turns), gr.update(value=label), state, title

    full_text.click(toggle_full, [viewer_state, records], [viewer_html, full_text, viewer_state, viewer_label],
                    api_visibility="private")
    close.click(lambda: gr.update(visible=False), None, viewer, api_visibility="private")

    def save_comment(feedback_id: int | None, text: str):
        if feedback_id is not None and (text or "").strip():
            feedback.set_comment(feedback_id, text[:2000])
            gr.Info("Đã ghi nhận góp ý. Cảm ơn bạn!", title="Góp ý")
        return gr.update(visible=False), None, ""

    send_comment.click(save_comment, [pending_feedback, comment], [feedback_box, pending_feedback, comment],
                       api_visibility="private")
    comment.submit(save_comment, [pending_feedback, comment], [feedback_box, pending_feedback, comment],
                   api_visibility="private")
    skip_comment.click(lambda: (gr.update(visible=False), None, ""), None, [feedback_box, pending_feedback, comment],
                       api_visibility="private")

    def on_session(current: dict | None):
        allowed_now = auth.can_chat(ui, current)
        return gr.update(visible=not allowed_now), gr.update(visible=allowed_now)

    session.change(on_session, session, [gate, area], api_visibility="private")
    return ChatTab(gate, area, chatbot, question, records, examples)


def load_examples(tab: ChatTab):
    """For Blocks.load: the chat's example questions for the corpus as it is now."""
    def load():
        return gr.update(examples=[{"text": q} for q in tab.examples.get()])
    return load


BRIDGE_JS = r"""
document.documentElement.lang = 'vi';
const copyText = (text, link) => {
  const done = () => {
    const old = link.textContent;
    link.textContent = '✓ Đã sao chép';
    setTimeout(() => { link.textContent = old; }, 1500);
  };
  const fallback = () => {
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    try { document.execCommand('copy'); done(); } catch (e) { console.warn(e); }
    area.remove();
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, fallback);
  } else {
    fallback();
  }
};
const onClick = (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#hd-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const ref = link.getAttribute('href').slice(4);
  if (ref.startsWith('copy-')) {
    const box = link.closest('.hd-answer');
    if (!box) return;
    const lines = [box.querySelector('.hd-text').innerText.trim()];
    const chips = box.querySelectorAll('.hd-chip');
    if (chips.length) {
      lines.push('', 'Nguồn trích dẫn:');
      chips.forEach((chip) => lines.push(chip.getAttribute('title')));
    }
    copyText(lines.join('\n'), link);
    return;
  }
  trigger('click', {ref: ref});
};
// Gradio's own accessible labels and tooltips, in Vietnamese.
const LABELS = [
  [/^Clear$/, 'Xóa hội thoại'], [/^chatbot conversation$/, 'Cuộc trò chuyện'],
  [/^Select example (\d+): (.*)$/, 'Câu hỏi ví dụ $1: $2'], [/^user's message: .*$/s, 'Câu hỏi'],
  [/^bot's message: .*$/s, 'Câu trả lời'], [/^Copy( message)?$/, 'Sao chép'], [/^Copied( message)?$/, 'Đã sao chép'],
  [/^Retry$/, 'Tạo lại'], [/^Undo$/, 'Hoàn tác'], [/^Like$/, 'Hữu ích'], [/^Dislike$/, 'Chưa đúng'],
  [/^Download$/, 'Tải xuống'], [/^Remove$/, 'Xóa'], [/^Close$/, 'Đóng'], [/^Loading\.*$/, 'Đang tải…'],
  [/^More tabs$/, 'Các thẻ khác'],
];
const TOAST_TITLES = {Info: 'Thông báo', Warning: 'Cảnh báo', Error: 'Lỗi', Success: 'Thành công'};
const translate = () => {
  document.querySelectorAll('.toast-title-row span').forEach((el) => {
    el.childNodes.forEach((node) => {
      const word = node.nodeType === 3 ? node.textContent.trim() : '';
      if (TOAST_TITLES[word]) node.textContent = node.textContent.replace(word, TOAST_TITLES[word]);
    });
  });
  document.querySelectorAll('[aria-label],[title]').forEach((el) => {
    for (const name of ['aria-label', 'title']) {
      const value = el.getAttribute(name);
      if (!value) continue;
      for (const [pattern, replacement] of LABELS) {
        if (pattern.test(value)) { el.setAttribute(name, value.replace(pattern, replacement)); break; }
      }
    }
  });
};
let pending = null;
if (window.__hdObserver) window.__hdObserver.disconnect();
window.__hdObserver = new MutationObserver(() => {
  if (pending) return;
  pending = setTimeout(() => { pending = null; translate(); }, 150);
});
window.__hdObserver.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                                            attributeFilter: ['aria-label', 'title']});
translate();
if (window.__hdClick) document.removeEventListener('click', window.__hdClick, true);
window.__hdClick = onClick;
document.addEventListener('click', onClick, true);
"""

VIEWER_JS = r"""
watch('value', () => {
  const mark = element.querySelector('#hd-mark');
  if (mark) setTimeout(() => mark.scrollIntoView({block: 'center'}), 50);
});
"""

"""Chat-model backends behind one small interface: LangChain chat models chosen by ``answer.backend``.

- ``llamacpp``: ``ChatLlamaCpp`` (langchain-community) over llama-cpp-python and the GGUF in ``llm.model_dir``;
  loaded once per process, one generation at a time.
- ``openai``: ``ChatOpenAI`` (langchain-openai) against any OpenAI-compatible server.
- ``ollama``: ``ChatOllama`` (langchain-ollama).

``get_backend`` raises ``BackendUnavailable`` with a Vietnamese message when a backend cannot be used
(no model file, package not installed); a server that does not answer shows up as an error while
generating, which ``unreachable_message`` turns into such a message. The pipeline then falls back to
extractive answers.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from bot.answering.prompts import approx_tokens
from bot.settings import Settings

log = logging.getLogger(__name__)

BACKENDS = ("llamacpp", "openai", "ollama", "extractive")
EXTRACTIVE_NOTE_VI = "Câu trả lời được trích nguyên văn từ tài liệu (chế độ không dùng mô hình ngôn ngữ)."


class BackendUnavailable(RuntimeError):
    """The chosen backend cannot answer; str(exc) is a Vietnamese message for the user."""


class BackendBusy(RuntimeError):
    """Other questions held the model for longer than the wait limit."""


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    completion_tokens: int = 0  # streamed deltas (about one token each)
    first_token_ms: float = 0.0
    total_ms: float = 0.0
    truncated: bool = False  # stopped by the time limit


@dataclass
class Backend:
    name: str
    model: BaseChatModel
    count_tokens: Callable[[str], int] = approx_tokens
    timeout_s: float = 120.0
    where: str = ""  # model path or server URL, for messages
    # The model field that caps a reply's tokens, when the model takes no max_tokens per call (ChatOllama).
    limit_field: str | None = None
    # One generation at a time: the others queue for up to busy_wait_s, then get BackendBusy.
    busy_wait_s: float = 60.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stream(self, messages: Sequence[BaseMessage], max_tokens: int,
               stats: GenerationStats | None = None) -> Iterator[str]:
        """Text deltas of the model's reply; stops at timeout_s (stats.truncated)."""
        stats = stats if stats is not None else GenerationStats()
        if not self.lock.acquire(timeout=self.busy_wait_s):
            raise BackendBusy(f"{self.name}: still busy after {self.busy_wait_s:g} s")
        started = time.perf_counter()
        try:
            if self.limit_field:
                model, kwargs = self.model.model_copy(update={self.limit_field: max_tokens}), {}
            else:
                model, kwargs = self.model, {"max_tokens": max_tokens}
            chunks = model.stream(list(messages), **kwargs)
            try:
                for chunk in chunks:
                    text = chunk.content if isinstance(chunk.content, str) else str(chunk.text)
                    if not text:
                        continue
                    if not stats.completion_tokens:
                        stats.first_token_ms = (time.perf_counter() - started) * 1000
                    stats.completion_tokens += 1
                    yield text
                    if time.perf_counter() - started > self.timeout_s:
                        stats.truncated = True
                        log.warning("%s: generation stopped after %.0f s", self.name, self.timeout_s)
                        break
            finally:
                close = getattr(chunks, "close", None)
                if close:
                    close()
                stats.total_ms = (time.perf_counter() - started) * 1000
        finally:
            self.lock.release()

    def complete(self, messages: Sequence[BaseMessage], max_tokens: int) -> str:
        return "".join(self.stream(messages, max_tokens))


def model_path(settings: Settings) -> Path:
    return Path(settings.llm.model_dir) / settings.llm.model_file


_llama_cache: dict[tuple, Backend] = {}
_llama_lock = threading.Lock()


def _llamacpp(settings: Settings) -> Backend:
    cfg = settings.llm
    path = model_path(settings)
    if not path.is_file():
        raise BackendUnavailable(f"Chưa có tệp mô hình {path}. Chạy 'python -m bot models pull' để tải về.")
    key = (str(path), cfg.n_ctx, cfg.n_threads, cfg.n_batch, cfg.temperature, cfg.repeat_penalty)
    with _llama_lock:
        backend = _llama_cache.get(key)
        if backend is not None:
            backend.timeout_s, backend.busy_wait_s = cfg.timeout_s, cfg.busy_wait_s
            return backend
        try:
            import llama_cpp  # noqa: F401
            with warnings.catch_warnings():  # the package's sunset notice, on every import
                warnings.simplefilter("ignore", DeprecationWarning)
                from langchain_community.chat_models import ChatLlamaCpp
        except ImportError as exc:
            raise BackendUnavailable("Chưa cài llama-cpp-python hoặc langchain-community "
                                     f"(pip install -r requirements-llm.txt): {exc}") from exc
        started = time.perf_counter()
        try:
            # llama-cpp-python's own default is half the cores; the answer is all this process waits for.
            threads = cfg.n_threads or os.cpu_count() or 1
            model = ChatLlamaCpp(model_path=str(path), n_ctx=cfg.n_ctx, n_threads=threads, n_batch=cfg.n_batch,
                                 max_tokens=cfg.max_tokens, temperature=cfg.temperature, top_p=1.0, top_k=40,
                                 repeat_penalty=cfg.repeat_penalty, seed=0, streaming=True, verbose=False)
        except Exception as exc:  # a damaged file, too little memory
            raise BackendUnavailable(f"Không nạp được mô hình {path.name}: {exc}") from exc
        log.info("loaded %s in %.1f s", path.name, time.perf_counter() - started)
        client = model.client

        def count(text: str) -> int:
            return len(client.tokenize(text.encode("utf-8"), add_bos=False, special=False))

        backend = _llama_cache[key] = Backend("llamacpp", model, count, cfg.timeout_s, str(path),
                                                busy_wait_s=cfg.busy_wait_s)
        return backend


def _openai(settings: Settings) -> Backend:
    cfg = settings.llm
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise BackendUnavailable(f"Chưa cài langchain-openai (pip install -r requirements-llm.txt): {exc}") from exc
    key = cfg.openai_api_key or os.environ.get("OPENAI_API_KEY", "")
    key = key.get_secret_value() if hasattr(key, "get_secret_value") else key
    model = ChatOpenAI(model=cfg.openai_model, base_url=cfg.openai_base_url, api_key=key or "not-needed",
                       temperature=cfg.temperature, max_tokens=cfg.max_tokens, timeout=cfg.timeout_s, max_retries=0,
                       streaming=True)
    return Backend("openai", model, approx_tokens, cfg.timeout_s, cfg.openai_base_url, busy_wait_s=cfg.busy_wait_s)


def _ollama(settings: Settings) -> Backend:
    cfg = settings.llm
    try:
        from langchain_ollama import ChatOllama
    except ImportError as exc:
        raise BackendUnavailable(f"Chưa cài langchain-ollama (pip install -r requirements-llm.txt): {exc}") from exc
    model = ChatOllama(model=cfg.ollama_model, base_url=cfg.ollama_base_url, temperature=cfg.temperature,
                       num_predict=cfg.max_tokens, num_ctx=cfg.n_ctx, client_kwargs={"timeout": cfg.timeout_s})
    return Backend("ollama", model, approx_tokens, cfg.timeout_s, cfg.ollama_base_url, limit_field="num_predict",
                   busy_wait_s=cfg.busy_wait_s)


_FACTORIES = {"llamacpp": _llamacpp, "openai": _openai, "ollama": _ollama}

# Tests and embedders may put a ready backend here: backend name -> Backend.
overrides: dict[str, Backend] = {}


def get_backend(settings: Settings, name: str | None = None) -> Backend | None:
    """The backend named (default: answer.backend); None for 'extractive'. Raises BackendUnavailable."""
    name = name or settings.answer.backend
    if name == "extractive":
        return None
    if name in overrides:
        return overrides[name]
    factory = _FACTORIES.get(name)
    if factory is None:
        raise BackendUnavailable(f"Không có chế độ trả lời '{name}' (chọn một trong {', '.join(BACKENDS)}).")
    return factory(settings)


_UNREACHABLE = {"ConnectionError", "ConnectionRefusedError", "ConnectError", "ConnectTimeout", "APIConnectionError",
                "APITimeoutError", "TimeoutException", "ReadTimeout", "TimeoutError"}


def _is_unreachable(exc: BaseException) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if any(cls.__name__ in _UNREACHABLE for cls in type(exc).__mro__):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def unreachable_message(backend: Backend, exc: BaseException) -> str:
    """A Vietnamese message for a generation that failed (server down, timeout, model error)."""
    if isinstance(exc, BackendBusy):
        return (f"Hệ thống đang bận (nhiều người đang hỏi cùng lúc; đã chờ {backend.busy_wait_s:g} giây). "
                "Tạm trả lời bằng cách trích nguyên văn tài liệu; bạn có thể hỏi lại sau ít phút.")
    detail = f"{type(exc).__name__}: {exc}".strip()
    if len(detail) > 200:
        detail = detail[:200] + "…"
    if backend.name in ("openai", "ollama") and _is_unreachable(exc):
        return (f"Không kết nối được tới máy chủ mô hình ({backend.name}, {backend.where}) — {detail}. "
                "Tạm trả lời bằng cách trích nguyên văn tài liệu.")
    return (f"Mô hình ({backend.name}, {backend.where}) gặp lỗi khi sinh câu trả lời — {detail}. "
            "Tạm trả lời bằng cách trích nguyên văn tài liệu.")

"""The openai backend against a tiny OpenAI-compatible server on 127.0.0.1; unreachable servers fall back."""

from __future__ import annotations

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("langchain_openai")

from bot.answering.pipeline import answer, answer_stream  # noqa: E402
from bot.answering.types import REFUSAL_VI, Answer  # noqa: E402
from conftest import TINY_DECREE_61  # noqa: E402

DEFINITION = "Hương ước, quy ước là văn bản quy định về các quy phạm xã hội"


def canned_reply(messages: list[dict]) -> str:
    """Copy the definition from the prompt, citing the passage it came from."""
    user = messages[-1]["content"]
    for match in re.finditer(r"^\[(\d+)\] \(.*?\)\n(.*?)(?=\n\n\[\d+\] \(|\n\nCâu hỏi: )", user, re.M | re.S):
        if DEFINITION in match.group(2):
            return f"{DEFINITION} do cộng đồng dân cư thỏa thuận xác lập [{match.group(1)}]."
    return REFUSAL_VI


class Handler(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        reply = canned_reply(body["messages"])
        if self.path == "/api/chat":  # Ollama: one JSON object a line
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()
            pieces = re.split(r"(?<= )", reply) if body.get("stream", True) else [reply]
            for piece in pieces:
                line = {"model": body["model"], "created_at": "2024-01-01T00:00:00Z",
                        "message": {"role": "assistant", "content": piece}, "done": False}
                self.wfile.write((json.dumps(line, ensure_ascii=False) + "\n").encode())
            end = {"model": body["model"], "created_at": "2024-01-01T00:00:00Z",
                   "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop",
                   "eval_count": 5, "prompt_eval_count": 10}
            self.wfile.write((json.dumps(end) + "\n").encode())
            return
        base = {"id": "chatcmpl-1", "created": 0, "model": body["model"]}
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in re.split(r"(?<= )", reply):
                chunk = {**base, "object": "chat.completion.chunk",
                         "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece},
                                      "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            end = {**base, "object": "chat.completion.chunk",
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
            return
        data = json.dumps({**base, "object": "chat.completion",
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                                        "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}},
                          ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_for(tiny_index, backend: str, **llm):
    s = tiny_index.settings
    return s.model_copy(update={"answer": s.answer.model_copy(update={"backend": backend}),
                                "llm": s.llm.model_copy(update={"timeout_s": 10, **llm})})


def test_openai_backend_answers_with_verified_citations(tiny_index, server) -> None:
    Handler.requests.clear()
    settings = settings_for(tiny_index, "openai", openai_base_url=server, openai_model="fake-qwen",
                            openai_api_key="sk-test")
    result = answer("Hương ước, quy ước là gì?", settings=settings, index=tiny_index)
    assert not result.refused, (result.refusal_reason, result.fallback_reason)
    assert result.backend == "openai" and not result.fallback_reason
    assert DEFINITION in result.text and result.text.endswith("[1]")
    assert result.citations[0].doc == TINY_DECREE_61
    request = Handler.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "fake-qwen"
    assert request["body"]["messages"][0]["role"] == "system"


def test_openai_backend_streams(tiny_index, server) -> None:
    settings = settings_for(tiny_index, "openai", openai_base_url=server)
    items = list(answer_stream("Hương ước, quy ước là gì?", settings=settings, index=tiny_index))
    deltas, final = items[:-1], items[-1]
    assert isinstance(final, Answer) and len(deltas) > 3
    assert "".join(deltas).startswith(DEFINITION)
    assert not final.refused and final.citations


def test_ollama_backend_answers_with_verified_citations(tiny_index, server) -> None:
    pytest.importorskip("langchain_ollama")
    Handler.requests.clear()
    settings = settings_for(tiny_index, "ollama", ollama_base_url=server.removesuffix("/v1"), ollama_model="qwen-fake",
                            max_tokens=77)
    items = list(answer_stream("Hương ước, quy ước là gì?", settings=settings, index=tiny_index))
    final = items[-1]
    assert final.backend == "ollama" and not final.fallback_reason, final.fallback_reason
    assert not final.refused and DEFINITION in final.text and final.citations[0].doc == TINY_DECREE_61
    assert len(items) > 3  # streamed
    request = Handler.requests[-1]
    assert request["path"] == "/api/chat" and request["body"]["model"] == "qwen-fake"
    assert request["body"]["options"]["num_predict"] <= 77


@pytest.mark.parametrize("backend", ["openai", "ollama"])
def test_unreachable_server_falls_back_to_extractive(tiny_index, backend: str) -> None:
    if backend == "ollama":
        pytest.importorskip("langchain_ollama")
    url = f"http://127.0.0.1:{closed_port()}" + ("/v1" if backend == "openai" else "")
    settings = settings_for(tiny_index, backend, openai_base_url=url, ollama_base_url=url)
    result = answer("Hương ước, quy ước là gì?", settings=settings, index=tiny_index)
    assert result.backend == "extractive" and not result.refused
    assert result.fallback_reason.startswith(f"Không kết nối được tới máy chủ mô hình ({backend}, {url})")
    assert DEFINITION in result.text


def test_ask_stream_prints_the_words_then_the_citations(server, tiny_corpus, seeded_index_dir) -> None:
    import os
    import subprocess
    import sys

    from conftest import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(PYTHONIOENCODING="utf-8", ANONYMIZED_TELEMETRY="False", BOT_LLM__OPENAI_BASE_URL=server)
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "Hương ước, quy ước là gì?", "--stream",
                             "--backend", "openai", "--corpus", str(tiny_corpus), "--index", str(seeded_index_dir)],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(DEFINITION)
    # The server cited the definition's passage by its prompt number; shown, it is [1].
    renumbered = not re.search(r"\[1\]\.$", lines[0])
    assert ("Sau kiểm chứng trích dẫn" in result.stdout) == renumbered
    assert any(line.startswith("  [1] Nghị định 61/2023/NĐ-CP") for line in lines)
    assert "(!)" not in result.stderr

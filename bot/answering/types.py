"""What ``answer()`` returns, and its JSON form (the ``ask --json`` object)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.answering.verify import REFUSAL_VI  # noqa: F401 - defined once, re-exported here
from bot.retrieval.hybrid import Passage


@dataclass
class Citation:
    n: int
    doc: str
    title: str
    page: int | None
    heading: str
    quote: str  # the cited sentence(s), verbatim from the document
    start: int  # span of the quote in the document's display text
    end: int


@dataclass
class Answer:
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    backend: str = "extractive"
    query: str = ""  # the standalone, expanded query the retrievers read
    refusal_reason: str = ""  # why it refused, for logs and evaluation (English)
    # Set when the chosen backend could not answer and extractive answering stood in (Vietnamese, for users).
    fallback_reason: str = ""
    # Set when the evidence is close to too weak: the documents may not answer directly (Vietnamese, for users).
    caution: str = ""
    model_text: str = ""  # a generated answer as the model wrote it, before verification
    dropped: list[str] = field(default_factory=list)  # generated sentences the verification left out
    usage: dict = field(default_factory=dict)  # prompt/completion tokens and passages of a generated answer

    def to_json(self) -> dict:
        return {
            "answer": self.text,
            "refused": self.refused,
            "citations": [vars(c) for c in self.citations],
            "passages": [
                {"doc": p.chunk.doc_id, "start": p.chunk.start, "end": p.chunk.end, "text": p.chunk.text,
                 "score": round(p.score, 6), "heading": p.chunk.heading, "page": p.chunk.page}
                for p in self.passages
            ],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "backend": self.backend,
            "query": self.query,
            "refusal_reason": self.refusal_reason,
            "fallback_reason": self.fallback_reason,
            "caution": self.caution,
            "model_text": self.model_text,
            "dropped": self.dropped,
            "usage": self.usage,
        }

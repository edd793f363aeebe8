"""The trainer's unit of work: one question (open or multiple choice) with its cited source.

A ``QAItem`` is what the review tab shows and edits and what the exporters write. Its
``sources`` are verbatim spans of the documents; ``flags`` say what the verifier found wrong
(empty: verified). After a change to question, answer, options or quotes, call
``bot.trainer.check.check_item`` again: an edited item is unchecked until then, and an unchecked
or flagged item is never exported as a verified one.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields, replace

KINDS = ("open", "mcq")
KIND_LABELS_VI = {"open": "Tự luận", "mcq": "Trắc nghiệm"}

TYPES = ("fact", "number", "definition", "responsibility", "procedure")
TYPE_LABELS_VI = {
    "fact": "Nội dung quy định",
    "number": "Số liệu, thời hạn, ngày tháng",
    "definition": "Khái niệm",
    "responsibility": "Trách nhiệm, nhiệm vụ",
    "procedure": "Trình tự, thủ tục, hình thức",
}

DIFFICULTIES = ("dễ", "trung bình", "khó")
DIFFICULTY_TAGS = {"dễ": "de", "trung bình": "trung-binh", "khó": "kho"}  # ASCII tags for test sets

LETTERS = "ABCD"
ORIGINS = ("rule", "llm", "manual")


@dataclass
class SourceRef:
    """Where an item comes from: ``quote == document.text[start:end]``, at most 200 characters."""

    doc: str  # document id (path relative to the corpus folder)
    quote: str
    start: int
    end: int
    heading: str = ""  # "Nghị định 61/2023/NĐ-CP › Điều 11 › khoản 3 › điểm a", or the title of a prose document
    page: int | None = None  # PDFs
    unit: str = "span"  # "article": the whole Điều holding the quote is the answer's source (test sets)

    @property
    def where(self) -> str:
        """For people: heading, page."""
        return ", ".join(p for p in (self.heading, f"trang {self.page}" if self.page else "") if p) or self.doc


@dataclass
class QAItem:
    """One question. ``kind`` 'open': ``answer`` is the reference answer. ``kind`` 'mcq': ``options``
    holds exactly 4 distinct options (no letters), ``correct`` the index of the one right option, and
    ``answer`` a reference sentence that explains it."""

    id: str
    kind: str  # open | mcq
    type: str  # fact | number | definition | responsibility | procedure
    difficulty: str  # dễ | trung bình | khó
    question: str
    answer: str
    sources: list[SourceRef]
    options: list[str] = field(default_factory=list)
    correct: int | None = None
    origin: str = "rule"  # rule | llm | manual
    rule: str = ""  # which generator made it (duration, definition, duty_list, …)
    checked: bool = False  # the verifier has seen this version of the item
    support: float = 0.0  # the shared verifier's support of the answer by the quotes (0..1)
    flags: list[str] = field(default_factory=list)  # verifier findings; see check.FLAG_MESSAGES_VI
    approved: bool = False  # a reviewer accepted it
    note: str = ""  # reviewer's note

    # --- views ---------------------------------------------------------------------------

    @property
    def verified(self) -> bool:
        return self.checked and not self.flags

    @property
    def doc(self) -> str:
        return self.sources[0].doc if self.sources else ""

    @property
    def position(self) -> int:
        return self.sources[0].start if self.sources else 0

    @property
    def correct_letter(self) -> str:
        if self.kind == "mcq" and self.correct is not None and 0 <= self.correct < 4:
            return LETTERS[self.correct]
        return ""

    @property
    def correct_option(self) -> str:
        return self.options[self.correct] if self.correct_letter and self.correct < len(self.options) else ""

    def lettered_options(self) -> list[str]:
        return [f"{LETTERS[i]}. {option}" for i, option in enumerate(self.options[:4])]

    def key_text(self) -> str:
        """The answer as an answer key shows it: 'B. 05 ngày làm việc' for MCQ, the reference answer otherwise."""
        if self.kind == "mcq" and self.correct_letter:
            return f"{self.correct_letter}. {self.correct_option}"
        return self.answer

    # --- changes -------------------------------------------------------------------------

    def edited(self, **changes: object) -> "QAItem":
        """A copy with the changes, unchecked and unapproved until verified again (review tab edits)."""
        if "sources" in changes:
            changes["sources"] = [s if isinstance(s, SourceRef) else SourceRef(**s) for s in changes["sources"]]
        return replace(self, **changes, checked=False, flags=[], support=0.0, approved=False)

    # --- (de)serialization ---------------------------------------------------------------

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "QAItem":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        source_keys = {f.name for f in fields(SourceRef)}
        values["sources"] = [s if isinstance(s, SourceRef)
                             else SourceRef(**{k: v for k, v in s.items() if k in source_keys})
                             for s in data.get("sources", [])]
        values.setdefault("options", [])
        values.setdefault("flags", [])
        first_doc = values["sources"][0].doc if values["sources"] else ""
        values.setdefault("id", make_id(values.get("kind", "open"), first_doc, values.get("question", "")))
        return cls(**values)


def make_id(kind: str, doc: str, question: str) -> str:
    digest = hashlib.sha1(f"{doc}\n{question}".encode("utf-8")).hexdigest()[:10]
    return f"{'tn' if kind == 'mcq' else 'tl'}-{digest}"

"""Generate, verify, de-duplicate and pick a question set; one item again; one item by hand.

API for the CLI (``python -m bot qa``) and the review tab ("Soạn câu hỏi"):

- ``generate(source, doc_ids, scope=None, count=20, kind="both") -> list[QAItem]``: verified,
  de-duplicated items, spread over the question types and the sections in scope;
- ``generate_set(...) -> GenerationResult``: the same with the items the verifier dropped and a report;
- ``regenerate_one(source, item, exclude=items) -> QAItem | None``: another verified question of the
  same kind from the same Điều/paragraph (then the same document), unlike everything in ``exclude``;
- ``manual_item(source, doc_id, question, answer, quote, …) -> QAItem``: a reviewer's own question;
  the quote is found in the document (also when typed with other spacing or tone placement), checked;
- ``recheck(item, source)``: verify an edited item again (``QAItem.edited`` leaves it unchecked).

Who writes the questions is ``TrainerSettings.generator``: the rules (``rules.py``), or the answer model
(``llm_generate.py``; with "auto", when ``answer.backend`` names one that loads). Model items pass the same
verifier, and a model reply that is unusable is replaced by a rule-based question of the same passage.

``source`` is where documents come from: an ``Index`` (its catalog), a ``Catalog``, a mapping
doc id -> ``Document``, or a list of ``Document``. Generation itself needs no embeddings.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.documents.model import Document
from bot.trainer.text import fold
from bot.trainer.check import FLAG_MESSAGES_VI, check_item
from bot.trainer.dedupe import dedupe, is_duplicate
from bot.trainer.items import TYPES, QAItem, SourceRef, make_id
from bot.trainer.rules import RuleWriter
from bot.trainer.scope import DocView, ScopeError, select
from bot.trainer.settings import support_threshold, trainer_settings

log = logging.getLogger(__name__)

KIND_CHOICES = ("open", "mcq", "both")


class UnknownDocument(LookupError):
    """A document id that the source does not hold; ``str()`` is Vietnamese."""


# --- Documents -------------------------------------------------------------------------------------


def doc_lookup(source: object) -> Callable[[str], Document | None]:
    """doc id -> Document for an Index, a Catalog, a mapping or a list of Documents."""
    catalog = getattr(source, "catalog", None)
    if catalog is not None and hasattr(catalog, "document"):
        return catalog.document
    if hasattr(source, "document") and callable(source.document):
        return source.document
    if isinstance(source, Mapping):
        return source.get
    if isinstance(source, Sequence):
        by_id = {d.id: d for d in source}
        return by_id.get
    raise TypeError(f"not a document source: {type(source).__name__}")


def _cached(find: Callable[[str], Document | None]) -> Callable[[str], Document | None]:
    cache: dict[str, Document | None] = {}

    def get(doc_id: str) -> Document | None:
        if doc_id not in cache:
            cache[doc_id] = find(doc_id)
        return cache[doc_id]

    return get


def documents_of(source: object, doc_ids: Sequence[str]) -> list[Document]:
    find = doc_lookup(source)
    docs, missing = [], []
    for doc_id in doc_ids:
        doc = find(doc_id)
        (docs.append(doc) if doc is not None else missing.append(doc_id))
    if missing:
        raise UnknownDocument("Không có tài liệu: " + ", ".join(missing))
    return docs


# --- Results ---------------------------------------------------------------------------------------


@dataclass
class GenerationReport:
    documents: list[str]
    candidates: int = 0  # written by the rules
    dropped_by_verifier: int = 0  # flagged by check_item
    duplicates: int = 0  # near-duplicates removed
    available: int = 0  # verified and unique
    selected: int = 0
    flag_counts: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    generator: str = "rules"  # rules | llm (what was asked to write; llm sets fall back to rules per item)
    model_calls: int = 0  # llm: replies asked for
    unusable: int = 0  # llm: replies that held no usable question (no JSON, missing fields, < 3 distractors)
    by_origin: dict[str, int] = field(default_factory=dict)
    note: str = ""  # Vietnamese: why the model was not used although asked for

    def summary_vi(self) -> str:
        kinds = ", ".join(f"{'tự luận' if k == 'open' else 'trắc nghiệm'} {n}" for k, n in self.by_kind.items())
        reasons = "; ".join(f"{FLAG_MESSAGES_VI.get(f, f)} ({n})" for f, n in self.flag_counts.items())
        rejected = (f"bộ kiểm chứng trích dẫn loại {self.dropped_by_verifier}" + (f" [{reasons}]" if reasons else ""))
        if self.generator == "llm":
            written = (f"mô hình ngôn ngữ được hỏi {self.model_calls} lần, {self.unusable} câu trả lời "
                       f"không dùng được, {rejected}; dùng {self.by_origin.get('llm', 0)} câu của mô hình và "
                       f"{self.by_origin.get('rule', 0)} câu theo quy tắc")
        else:
            written = f"quy tắc viết {self.candidates} câu, {rejected}"
        return (f"Đã chọn {self.selected} câu hỏi ({kinds or '0'}) từ {self.available} câu đạt kiểm chứng; "
                f"{written}, loại {self.duplicates} câu trùng lặp." + (f" {self.note}" if self.note else ""))


@dataclass
class GenerationResult:
    items: list[QAItem]  # verified, unique, selected
    flagged: list[QAItem]  # dropped by the verifier, with their flags (for review, never exported as verified)
    report: GenerationReport


# --- Selection -------------------------------------------------------------------------------------


def _fact_key(item: QAItem) -> tuple[str, int]:
    return item.doc, item.sources[0].start if item.sources else 0


def _section_key(item: QAItem) -> str:
    heading = item.sources[0].heading if item.sources else ""
    match = re.search(r"^(.*?Điều \d+[a-z]?)", heading)
    return f"{item.doc}|{match.group(1) if match else heading}"


def _spread(items: list[QAItem], n: int, avoid: set[tuple[str, int]], doc_order: dict[str, int]) -> list[QAItem]:
    """n items: round-robin over the types, and over the rules inside a type; each rule's items spread over the
    sections (first item of every Điều, then the second …); facts in ``avoid`` (asked in the other kind) last."""
    if n <= 0:
        return []
    by_rule: dict[tuple[str, str], list[QAItem]] = {}
    for item in items:
        by_rule.setdefault((item.type, item.rule), []).append(item)
    for key, group in by_rule.items():
        seen: Counter[str] = Counter()
        ranked = []
        for item in sorted(group, key=lambda i: (doc_order.get(i.doc, 0), i.position)):
            ranked.append((_fact_key(item) in avoid, seen[_section_key(item)], item))
            seen[_section_key(item)] += 1
        by_rule[key] = [t[2] for t in sorted(ranked, key=lambda t: (t[0], t[1]))]
    types = sorted({t for t, _ in by_rule}, key=lambda t: TYPES.index(t) if t in TYPES else 99)
    rules = {t: sorted(r for tt, r in by_rule if tt == t) for t in types}
    turn = dict.fromkeys(types, 0)
    chosen: list[QAItem] = []
    used: set[tuple[str, int]] = set()
    while len(chosen) < n and any(by_rule.values()):
        for type_ in types:
            names = rules[type_]
            for step in range(len(names)):  # this type's next rule that still has an item
                group = by_rule[(type_, names[(turn[type_] + step) % len(names)])]
                while group and _fact_key(group[0]) in used:
                    group.pop(0)
                if group:
                    turn[type_] = (turn[type_] + step + 1) % len(names)
                    break
            else:
                continue
            if len(chosen) < n:
                item = group.pop(0)
                chosen.append(item)
                used.add(_fact_key(item))
    return chosen


def _select(items: list[QAItem], count: int, kind: str, doc_order: dict[str, int]) -> list[QAItem]:
    opens = [i for i in items if i.kind == "open"]
    mcqs = [i for i in items if i.kind == "mcq"]
    if kind == "open":
        n_open, n_mcq = min(count, len(opens)), 0
    elif kind == "mcq":
        n_open, n_mcq = 0, min(count, len(mcqs))
    else:
        n_mcq = min(len(mcqs), count // 2)
        n_open = min(len(opens), count - n_mcq)
        n_mcq = min(len(mcqs), count - n_open)
    chosen_open = _spread(opens, n_open, set(), doc_order)
    chosen_mcq = _spread(mcqs, n_mcq, {_fact_key(i) for i in chosen_open}, doc_order)
    place = lambda i: (doc_order.get(i.doc, 0), i.position)  # noqa: E731
    return sorted(chosen_open, key=place) + sorted(chosen_mcq, key=place)


# --- Generation ------------------------------------------------------------------------------------


def _check_all(items: list[QAItem], find: Callable[[str], Document | None],
               threshold: float) -> tuple[list[QAItem], list[QAItem]]:
    ok, flagged = [], []
    for item in items:
        check_item(item, find, threshold)
        (ok if item.verified else flagged).append(item)
    return ok, flagged


def scoped(docs: Sequence[Document], scope: Sequence[str] | str | None) -> list[tuple[DocView, list[tuple[int, int]]]]:
    """Each document with its spans in scope; documents without the scope's sections are left out
    (ScopeError when none has them)."""
    out, scope_errors = [], []
    for doc in docs:
        view = DocView(doc)
        try:
            out.append((view, select(view, scope)))
        except ScopeError as exc:
            scope_errors.append(str(exc))
    if scope_errors and len(scope_errors) == len(docs):
        raise ScopeError(" ".join(scope_errors))
    return out


def generate_from_documents(docs: Sequence[Document], scope: Sequence[str] | str | None = None,
                            count: int | None = None, kind: str | None = None, settings: object | None = None,
                            progress: Callable[[float, str], None] | None = None) -> GenerationResult:
    """The whole pipeline on Documents: writer -> shared verifier -> near-duplicates -> a spread selection.

    The writer is the answer model or the rules (``TrainerSettings.generator``); ``progress(fraction, what)``
    hears about each model reply (the rules are fast and report nothing).
    """
    cfg = trainer_settings(settings)
    count = cfg.count if count is None else count
    kind = kind or cfg.kind
    if kind not in KIND_CHOICES:
        raise ValueError(f"kind must be one of {KIND_CHOICES}")
    from bot.trainer.llm_generate import choose_backend, generate_with_model  # imports this module

    backend, note = choose_backend(settings)
    if backend is not None:
        return generate_with_model(docs, scope, count, kind, settings, backend, progress)
    result = rule_set(docs, scope, count, kind, settings)
    result.report.note = note
    return result


def rule_set(docs: Sequence[Document], scope: Sequence[str] | str | None, count: int, kind: str,
             settings: object | None = None) -> GenerationResult:
    """Rule-based generation: rules -> shared verifier -> near-duplicates -> a spread selection."""
    cfg = trainer_settings(settings)
    threshold = support_threshold(settings)
    find = _cached({d.id: d for d in docs}.get)
    report = GenerationReport([d.id for d in docs])
    candidates: list[QAItem] = []
    for view, spans in scoped(docs, scope):
        candidates.extend(RuleWriter(view, cfg).candidates(spans, kind))
    report.candidates = len(candidates)
    ok, flagged = _check_all(candidates, find, threshold)
    report.dropped_by_verifier = len(flagged)
    report.flag_counts = dict(Counter(f for item in flagged for f in item.flags))
    unique, removed = dedupe(ok, cfg.dedupe_threshold)
    report.duplicates = len(removed)
    report.available = len(unique)
    items = _select(unique, count, kind, {d.id: i for i, d in enumerate(docs)})
    report.selected = len(items)
    report.by_type = dict(Counter(i.type for i in items))
    report.by_kind = dict(Counter(i.kind for i in items))
    report.by_origin = dict(Counter(i.origin for i in items))
    for item in flagged:
        log.info("trainer: dropped %s (%s): %s", item.id, ",".join(item.flags), item.question)
    return GenerationResult(items, flagged, report)


def generate_set(source: object, doc_ids: Sequence[str], scope: Sequence[str] | str | None = None,
                 count: int | None = None, kind: str | None = None, settings: object | None = None,
                 progress: Callable[[float, str], None] | None = None) -> GenerationResult:
    """``generate`` with the dropped items and the report."""
    return generate_from_documents(documents_of(source, doc_ids), scope, count, kind, settings, progress)


def generate(source: object, doc_ids: Sequence[str], scope: Sequence[str] | str | None = None, count: int | None = None,
             kind: str | None = None, settings: object | None = None) -> list[QAItem]:
    """Verified, de-duplicated questions from the documents (``kind``: 'open', 'mcq' or 'both').

    ``scope``: section keys such as 'Điều 11', 'Chương II', 'Điều 9-12', 'Đoạn 3' (None: whole
    documents); ``count``: how many (fewer when the documents offer fewer); with 'both', half MCQ.
    """
    return generate_set(source, doc_ids, scope, count, kind, settings).items


def recheck(item: QAItem, source: object, settings: object | None = None) -> QAItem:
    """Verify an (edited) item again, in place; see ``check.explain`` for its flags in Vietnamese."""
    return check_item(item, doc_lookup(source), support_threshold(settings))


def regenerate_one(source: object, item: QAItem, exclude: Sequence[QAItem] = (),
                   settings: object | None = None) -> QAItem | None:
    """Another verified question of the item's kind, from its Điều or paragraph (else its document).

    Candidates near-identical to the item or to anything in ``exclude`` (the current set) are skipped;
    one of the item's type is preferred. None when the document has nothing new to ask.
    """
    cfg = trainer_settings(settings)
    find = _cached(doc_lookup(source))
    doc = find(item.doc)
    if doc is None:
        raise UnknownDocument(f"Không có tài liệu: {item.doc}")
    view = DocView(doc)
    article = view.article_at(item.position)
    paragraph = view.paragraph_at(item.position)
    if article is not None:
        local = [(article.start, article.end)]
    elif paragraph is not None:
        local = [view.paragraphs[paragraph - 1]]
    else:
        local = []
    writer = RuleWriter(view, cfg)
    taken = [item, *exclude]
    taken_ids = {t.id for t in taken}
    threshold = support_threshold(settings)
    for spans in ([local] if local else []) + [[(0, len(doc.text))]]:
        candidates = [c for c in writer.candidates(spans, item.kind) if c.id not in taken_ids]
        candidates.sort(key=lambda c: (c.type != item.type, c.rule != item.rule))
        for candidate in candidates:
            if is_duplicate(candidate, taken, cfg.dedupe_threshold):
                continue
            if check_item(candidate, find, threshold).verified:
                return candidate
    return None


def _find_quote(text: str, quote: str) -> tuple[int, int] | None:
    quote = quote.strip()
    if not quote:
        return None
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    parts = [re.escape(p) for p in fold(quote).split()]
    match = re.search(r"\s+".join(parts), fold(text))
    return match.span() if match else None


def quote_source(doc: Document, quote: str) -> SourceRef:
    """The quote as a source of the document: its own text, heading and page when found (spacing and tone
    placement may differ), else the typed text at offset 0 (the verifier then flags it)."""
    span = _find_quote(doc.text, quote)
    if span is None:
        return SourceRef(doc.id, quote.strip(), 0, 0)
    view = DocView(doc)
    s, e = span
    return SourceRef(doc.id, doc.text[s:e], s, e, view.heading_at(s), view.page_at(s))


def manual_item(source: object, doc_id: str, question: str, answer: str, quote: str, kind: str = "open",
                options: Sequence[str] | None = None, correct: int | None = None, type: str = "fact",  # noqa: A002
                difficulty: str = "trung bình", settings: object | None = None) -> QAItem:
    """A reviewer's question. The quote is looked up in the document (spacing and tone placement may differ)
    and stored as the document's own text; the item comes back checked (see its ``flags``)."""
    find = doc_lookup(source)
    doc = find(doc_id)
    if doc is None:
        raise UnknownDocument(f"Không có tài liệu: {doc_id}")
    sources = [quote_source(doc, quote)]
    item = QAItem(make_id(kind, doc_id, question), kind, type, difficulty, question.strip(), answer.strip(), sources,
                  [o.strip() for o in options or []], correct, origin="manual", rule="manual")
    return check_item(item, find, support_threshold(settings))

"""Trainer workspace: generate, review and export cited Q&A sets and quizzes from indexed documents.

For the CLI (``python -m bot qa``) and the review tab "Soạn câu hỏi":

    from bot.trainer import generate, regenerate_one, manual_item, recheck, export, sections, QAItem

    items = generate(index, ["nghi-dinh-61-2023-nd-cp-huong-uoc-quy-uoc.txt"], scope=["Điều 9-12"],
                     count=20, kind="both")              # verified, de-duplicated, spread over types
    new = regenerate_one(index, items[3], exclude=items)  # "Tạo lại" one item (None: nothing new)
    edited = recheck(items[0].edited(answer="…"), index)   # after an edit: verify again (see .flags)
    mine = manual_item(index, doc_id, question, answer, quote, kind="open")   # "Thêm câu hỏi"
    export(items, "docx", "bo-cau-hoi.docx")               # also "xlsx", "csv", "jsonl" (test set)
    sections(index.catalog.document(doc_id))               # scope picker: Chương / Điều / Đoạn

Who writes the questions is ``settings.trainer.generator``: the offline rules (``rules.py``), or the answer
model (``llm_generate.py``; "auto": when ``answer.backend`` names one that loads), whose unusable or
unsupported replies are replaced by rule-based questions. ``generate_set(..., progress=f)`` reports each
model reply. Items are ``QAItem`` (``to_dict`` / ``from_dict``); ``check.explain(item)`` says in Vietnamese why one is
flagged. Every item is checked with the shared citation verifier (``bot.answering.verify``); the
exporters never write a flagged or unchecked item as verified.
"""

from bot.trainer.check import FLAG_MESSAGES_VI, check_item, explain
from bot.trainer.dedupe import dedupe
from bot.trainer.export import FORMATS, ExportError, ExportResult, export, load_items, testset_record
from bot.trainer.generate import (GenerationReport, GenerationResult, UnknownDocument, generate,
                                  generate_from_documents, generate_set, manual_item, recheck, regenerate_one)
from bot.trainer.items import DIFFICULTIES, KIND_LABELS_VI, TYPE_LABELS_VI, TYPES, QAItem, SourceRef
from bot.trainer.scope import ScopeError, Section, sections
from bot.trainer.settings import TrainerSettings

__all__ = [
    "DIFFICULTIES", "FLAG_MESSAGES_VI", "FORMATS", "KIND_LABELS_VI", "TYPES", "TYPE_LABELS_VI",
    "ExportError", "ExportResult", "GenerationReport", "GenerationResult", "QAItem", "ScopeError", "Section",
    "SourceRef", "TrainerSettings", "UnknownDocument",
    "check_item", "dedupe", "explain", "export", "generate", "generate_from_documents", "generate_set", "load_items",
    "manual_item", "recheck", "regenerate_one", "sections", "testset_record",
]

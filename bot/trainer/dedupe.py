"""Near-duplicate questions: token-set Jaccard of ``fold``-ed syllables at or above a threshold.

The set is that of the question and its reference answer, so that two questions of one template
('Điều nào … quy định về mục đích …?' / '… về nguyên tắc …?') with different answers both stay,
while the same question asked twice (same answer) goes. Open and MCQ items are compared within their kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.trainer.items import QAItem
from bot.trainer.text import jaccard, token_set

DEFAULT_THRESHOLD = 0.8


def _key(item: QAItem) -> frozenset[str]:
    return token_set(item.question) | token_set(item.answer)


def is_duplicate(item: QAItem, others: Iterable[QAItem], threshold: float = DEFAULT_THRESHOLD) -> bool:
    """Whether a question of the same kind (open / MCQ) is near-identical to this one."""
    key = _key(item)
    return any(o.kind == item.kind and jaccard(key, _key(o)) >= threshold for o in others)


def dedupe(items: Sequence[QAItem], threshold: float = DEFAULT_THRESHOLD,
           keep: Sequence[QAItem] = ()) -> tuple[list[QAItem], list[QAItem]]:
    """(kept, removed): the first of each group of near-duplicates is kept; ``keep`` are items already chosen."""
    kept: list[QAItem] = []
    removed: list[QAItem] = []
    seen: list[tuple[str, frozenset[str]]] = [(k.kind, _key(k)) for k in keep]
    for item in items:
        key = _key(item)
        if any(kind == item.kind and jaccard(key, other) >= threshold for kind, other in seen):
            removed.append(item)
            continue
        seen.append((item.kind, key))
        kept.append(item)
    return kept, removed

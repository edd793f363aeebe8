"""Metrics that do not depend on how we chunk: relevance is overlap with the quoted span."""

from __future__ import annotations

import math
import re

from bot.documents.normalize import fold, numbers

Span = tuple[str, int, int]  # (doc id, start, end)


def overlaps(a: Span, b: Span) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def relevance(retrieved: list[Span], sources: list[Span]) -> list[set[int]]:
    """For each retrieved span, the indexes of the sources it overlaps."""
    return [{i for i, src in enumerate(sources) if overlaps(span, src)} for span in retrieved]


def hit_at(rel: list[set[int]], k: int) -> float:
    return 1.0 if any(rel[:k]) else 0.0


def recall_at(rel: list[set[int]], k: int, n_sources: int) -> float:
    if n_sources == 0:
        return 0.0
    return len(set().union(*rel[:k])) / n_sources if rel[:k] else 0.0


def mrr_at(rel: list[set[int]], k: int) -> float:
    for rank, hits in enumerate(rel[:k], start=1):
        if hits:
            return 1.0 / rank
    return 0.0


def ndcg_at(rel: list[set[int]], k: int, n_sources: int) -> float:
    """Binary gains; a passage counts once per source it first covers, so duplicates do not inflate it."""
    covered: set[int] = set()
    dcg = 0.0
    for rank, hits in enumerate(rel[:k], start=1):
        new = hits - covered
        if new:
            dcg += 1.0 / math.log2(rank + 1)
            covered |= new
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(k, n_sources) + 1))
    return dcg / ideal if ideal else 0.0


def tokens(text: str) -> list[str]:
    """Syllable tokens: NFC, lower-case, one tone placement; citation markers dropped."""
    return re.findall(r"\w+", fold(re.sub(r"\[\d+\]", " ", text)))


def token_f1(prediction: str, reference: str) -> float:
    pred, ref = tokens(prediction), tokens(reference)
    if not pred or not ref:
        return float(pred == ref)
    common: dict[str, int] = {}
    ref_counts: dict[str, int] = {}
    for t in ref:
        ref_counts[t] = ref_counts.get(t, 0) + 1
    for t in pred:
        if ref_counts.get(t, 0) > common.get(t, 0):
            common[t] = common.get(t, 0) + 1
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 over syllable tokens (longest common subsequence)."""
    pred, ref = tokens(prediction), tokens(reference)
    if not pred or not ref:
        return float(pred == ref)
    previous = [0] * (len(ref) + 1)
    for p in pred:
        current = [0]
        for j, r in enumerate(ref, start=1):
            current.append(previous[j - 1] + 1 if p == r else max(previous[j], current[j - 1]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(pred), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def numbers_match(prediction: str, reference: str) -> float:
    """1.0 when every number or date of the reference appears in the prediction."""
    wanted = set(numbers(reference))
    return 1.0 if wanted <= set(numbers(re.sub(r"\[\d+\]", " ", prediction))) else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

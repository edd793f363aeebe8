"""Evaluation metrics, checked against values computed by hand."""

from __future__ import annotations

import math

import pytest

from bot.evaluation.metrics import (
    hit_at,
    mrr_at,
    ndcg_at,
    numbers_match,
    overlaps,
    percentile,
    recall_at,
    relevance,
    rouge_l,
    token_f1,
    tokens,
)

SOURCES = [("a.txt", 100, 200), ("b.txt", 0, 50)]


@pytest.mark.parametrize("a, b, expected", [
    (("a", 0, 10), ("a", 5, 15), True),
    (("a", 0, 10), ("a", 10, 20), False),  # touching is not overlapping
    (("a", 0, 10), ("b", 0, 10), False),
    (("a", 5, 6), ("a", 0, 100), True),
    (("a", 0, 100), ("a", 5, 6), True),
])
def test_overlaps(a, b, expected: bool) -> None:
    assert overlaps(a, b) is expected
    assert overlaps(b, a) is expected


def test_relevance() -> None:
    retrieved = [("a.txt", 150, 250), ("c.txt", 0, 10), ("b.txt", 40, 60), ("a.txt", 0, 100)]
    assert relevance(retrieved, SOURCES) == [{0}, set(), {1}, set()]
    assert relevance([("a.txt", 0, 1000)], [("a.txt", 0, 5), ("a.txt", 10, 20)]) == [{0, 1}]


def test_perfect_run() -> None:
    rel = [{0}, {1}]
    assert hit_at(rel, 1) == 1.0
    assert recall_at(rel, 2, 2) == 1.0
    assert mrr_at(rel, 5) == 1.0
    assert ndcg_at(rel, 2, 2) == pytest.approx(1.0)
    assert ndcg_at(rel, 10, 2) == pytest.approx(1.0)


@pytest.mark.parametrize("rel", [[], [set(), set(), set()]])
def test_nothing_relevant_retrieved(rel) -> None:
    assert hit_at(rel, 5) == 0.0
    assert recall_at(rel, 5, 2) == 0.0
    assert mrr_at(rel, 5) == 0.0
    assert ndcg_at(rel, 5, 2) == 0.0


def test_mixed_case_hand_computed() -> None:
    # Ranks: 1 miss, 2 covers source 1, 3 miss, 4 covers source 1 again, 5 covers source 0.
    rel = [set(), {1}, set(), {1}, {0}]
    assert hit_at(rel, 1) == 0.0
    assert hit_at(rel, 2) == 1.0
    assert mrr_at(rel, 10) == pytest.approx(0.5)
    assert mrr_at(rel, 1) == 0.0
    assert recall_at(rel, 3, 2) == pytest.approx(0.5)
    assert recall_at(rel, 4, 2) == pytest.approx(0.5)  # the duplicate adds nothing
    assert recall_at(rel, 5, 2) == pytest.approx(1.0)
    # DCG@5 = 1/log2(3) + 1/log2(6) (rank 4 repeats source 1); IDCG = 1/log2(2) + 1/log2(3).
    dcg = 1 / math.log2(3) + 1 / math.log2(6)
    idcg = 1 + 1 / math.log2(3)
    assert ndcg_at(rel, 5, 2) == pytest.approx(dcg / idcg)
    assert ndcg_at(rel, 5, 2) == pytest.approx(0.6241, abs=1e-4)
    # At k=3 only rank 2 counts: (1/log2 3) / (1 + 1/log2 3).
    assert ndcg_at(rel, 3, 2) == pytest.approx((1 / math.log2(3)) / idcg)


def test_one_passage_covering_two_sources() -> None:
    rel = [{0, 1}]
    assert recall_at(rel, 1, 2) == 1.0
    # One passage, one gain: DCG 1; ideal at k=1 is 1.
    assert ndcg_at(rel, 1, 2) == pytest.approx(1.0)
    assert ndcg_at(rel, 5, 2) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_no_sources() -> None:
    assert recall_at([{0}], 5, 0) == 0.0
    assert ndcg_at([set()], 5, 0) == 0.0


@pytest.mark.parametrize("text, expected", [
    ("Hoà bình [1] và Uỷ ban [2]", ["hòa", "bình", "và", "ủy", "ban"]),
    ("3 lớp, 2023.", ["3", "lớp", "2023"]),
    ("", []),
])
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize("prediction, reference, expected", [
    ("hai năm", "hai năm", 1.0),
    ("Nhiệm kỳ là hai năm [1]", "nhiệm kỳ hai năm", 2 * (4 / 5) * 1.0 / (4 / 5 + 1.0)),  # P 4/5, R 1
    ("ba năm", "hai năm", 0.5),  # P 1/2, R 1/2
    ("năm năm", "năm", 2 * 0.5 * 1.0 / 1.5),  # the repeated token counts once: P 1/2, R 1
    ("bóng đá", "hương ước", 0.0),
    ("Hoà giải", "hòa giải", 1.0),
    ("", "", 1.0),
    ("", "hai năm", 0.0),
    ("hai năm", "", 0.0),
])
def test_token_f1(prediction: str, reference: str, expected: float) -> None:
    assert token_f1(prediction, reference) == pytest.approx(expected)


@pytest.mark.parametrize("prediction, reference, expected", [
    ("a b c d", "a b c d", 1.0),
    ("a b c d", "a c e", 2 * (2 / 4) * (2 / 3) / (2 / 4 + 2 / 3)),  # LCS "a c"
    ("d c b a", "a b c d", 2 * (1 / 4) * (1 / 4) / (1 / 4 + 1 / 4)),  # LCS length 1
    ("x y", "a b", 0.0),
    ("", "", 1.0),
    ("a", "", 0.0),
])
def test_rouge_l(prediction: str, reference: str, expected: float) -> None:
    assert rouge_l(prediction, reference) == pytest.approx(expected)


def test_rouge_l_differs_from_token_f1_on_order() -> None:
    assert token_f1("d c b a", "a b c d") == pytest.approx(1.0)
    assert rouge_l("d c b a", "a b c d") == pytest.approx(0.25)


@pytest.mark.parametrize("prediction, reference, expected", [
    ("Tổ chức 3 lớp tập huấn năm 2023 [1]", "3 lớp, năm 2023", 1.0),
    ("Tổ chức 3 lớp [1]", "3 lớp, năm 2023", 0.0),
    ("Nhiệm kỳ 2 năm", "Nhiệm kỳ 02 năm", 1.0),  # leading zeros do not matter
    ("ngày 1/7/2023", "ngày 01/7/2023", 1.0),
    ("Xem [2]", "2 năm", 0.0),  # a citation marker is not a number of the answer
    ("không có số", "không có số", 1.0),
    ("có 1.000 người", "1.000 người", 1.0),
])
def test_numbers_match(prediction: str, reference: str, expected: float) -> None:
    assert numbers_match(prediction, reference) == expected


@pytest.mark.parametrize("values, q, expected", [
    ([], 0.5, 0.0),
    ([5.0], 0.95, 5.0),
    ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
    ([4.0, 1.0, 3.0, 2.0], 0.0, 1.0),
    ([4.0, 1.0, 3.0, 2.0], 1.0, 4.0),
    ([10.0, 20.0, 30.0, 40.0, 50.0], 0.95, 48.0),
])
def test_percentile(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)

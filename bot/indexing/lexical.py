"""Vietnamese BM25: word tokens (pyvi) plus syllables, with document numbers kept whole.

Two token streams exist per text: the accented one (words and syllables in matching form) and a
diacritics-free one (syllables and syllable pairs), used when a question is typed without accents.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rank_bm25 import BM25Okapi

from bot.documents.normalize import fold, strip_diacritics
from bot.documents.structure import DOC_NUMBER

_TOKEN = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _segmenter():
    from pyvi import ViTokenizer

    return ViTokenizer


def doc_numbers(text: str) -> list[str]:
    """'Chỉ thị 16/CT-TTg' -> ['16/ct-ttg']: whole tokens, whatever the segmenter does to them."""
    return [fold(m.group(0)) for m in DOC_NUMBER.finditer(text)]


def word_tokens(text: str) -> list[str]:
    """Matching-form words and their syllables: 'Dân chủ ở cơ sở' -> ['dân_chủ', 'dân', 'chủ', 'ở', 'cơ_sở', …]."""
    tokens = doc_numbers(text)
    for word in _segmenter().tokenize(text).split():
        word = fold(word)
        if not _TOKEN.search(word):
            continue
        if "_" in word:
            tokens.append(word)
            tokens.extend(s for s in word.split("_") if s)
        else:
            tokens.append(word)
    return tokens


def plain_tokens(text: str) -> list[str]:
    """Diacritics-free syllables and syllable pairs: 'Dân chủ' -> ['dan', 'chu', 'dan_chu']."""
    syllables = _TOKEN.findall(strip_diacritics(fold(text)))
    return syllables + [f"{a}_{b}" for a, b in zip(syllables, syllables[1:])]


class LexicalIndex:
    """BM25 over chunk texts (with their heading context), in both token streams."""

    def __init__(self, ids: list[str], word_streams: list[list[str]], plain_streams: list[list[str]]) -> None:
        self.ids = ids
        self._words = BM25Okapi(word_streams) if ids else None
        self._plain = BM25Okapi(plain_streams) if ids else None

    def search(self, tokens: list[str], k: int, plain: bool = False) -> list[tuple[str, float]]:
        index = self._plain if plain else self._words
        if index is None or not tokens:
            return []
        scores = index.get_scores(tokens)
        order = scores.argsort()[::-1][:k]
        return [(self.ids[i], float(scores[i])) for i in order if scores[i] > 0]

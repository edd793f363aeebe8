"""Where a provision applies (a commune, an agency, an enterprise), and where a question asks about.

A law repeats its rules for each scope: «chậm nhất là 05 ngày làm việc» is in Điều 12 (xã) and Điều 47 (cơ
quan, đơn vị). Word overlap cannot tell them apart; the section titles a passage sits under can.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.retrieval.query import data_lines, plain_form


@lru_cache(maxsize=1)
def _scope_words() -> tuple[tuple[str, str], ...]:
    """(words without accents, scope), longest words first."""
    pairs = []
    for line in data_lines("scopes.tsv"):
        scope, _, words = line.partition("\t")
        pairs.extend((plain_form(w.strip()), scope.strip()) for w in words.split(","))
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _scopes_in(text: str) -> list[str]:
    """The scopes named in text, in order, each word used once (longest first). Compared without accents:
    a question typed without them names «xa» (and «Ban» is no «bản»: no such word is listed)."""
    plain = f" {plain_form(text)} "
    found: list[tuple[int, str]] = []
    for words, scope in _scope_words():
        for match in re.finditer(rf"(?<=\W){re.escape(words)}(?=\W)", plain):
            found.append((match.start(), scope))
        plain = re.sub(rf"(?<=\W){re.escape(words)}(?=\W)", lambda m: " " * len(m.group(0)), plain)
    return [scope for _, scope in sorted(found)]


def question_scope(question: str) -> str | None:
    """The one scope a question names («xã phải công khai …» -> commune); None for none or several."""
    scopes = set(_scopes_in(question))
    return scopes.pop() if len(scopes) == 1 else None


_AT = re.compile(r"\bo\s+([^›.]+)")


@lru_cache(maxsize=4096)
def passage_scope(context: str) -> str | None:
    """The scope of the innermost title that names one after «ở» (the context is 'title › Chương … › Điều …')."""
    for title in reversed(context.split("›")):
        for match in _AT.finditer(plain_form(title)):
            scopes = _scopes_in(match.group(1))
            if scopes:
                return scopes[0]
    return None

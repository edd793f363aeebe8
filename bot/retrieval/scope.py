"""Where a provision applies (a commune, an agency, an enterprise), and where a question asks about.

A law repeats its rules for each scope: «chậm nhất là 05 ngày làm việc» is in Điều 12 (xã) and Điều 47 (cơ
quan, đơn vị). Word overlap cannot tell them apart; the section titles a passage sits under can.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.data import data_lines
from bot.documents.normalize import fold, plain_form

_NO_SCOPE = "-"  # the row of words that name no scope (bot/data/scopes.tsv)


@lru_cache(maxsize=2)
def _scope_words(plain: bool) -> tuple[tuple[re.Pattern, str], ...]:
    """(pattern of the words, scope), longest words first; accent-free or folded."""
    form = plain_form if plain else fold
    pairs = []
    for line in data_lines("scopes.tsv"):
        scope, _, words = line.partition("\t")
        pairs.extend((form(w.strip()), scope.strip()) for w in words.split(",") if w.strip())
    pairs.sort(key=lambda pair: -len(pair[0]))
    return tuple((re.compile(rf"(?<!\w){re.escape(words)}(?!\w)"), scope) for words, scope in pairs)


def _scope_spans(text: str, plain: bool) -> list[tuple[int, int, str]]:
    """(start, end, scope) of the scope words in text, in order, each word used once (longest first).
    Compared with accents unless the question was typed without them: «phương thức» names no «phường».
    The «-» row's words are found too: they name no scope."""
    text = plain_form(text) if plain else fold(text)
    found: list[tuple[int, int, str]] = []
    for pattern, scope in _scope_words(plain):
        def hide(match: re.Match, scope: str = scope) -> str:
            found.append((match.start(), match.end(), scope))
            return " " * len(match.group(0))
        text = pattern.sub(hide, text)
    return sorted(found)


def _scopes_in(text: str, plain: bool) -> list[str]:
    """The scopes named in text, in order."""
    return [scope for _, _, scope in _scope_spans(text, plain) if scope != _NO_SCOPE]


# «… của cộng đồng dân cư » right before a place: the owner that place belongs to
_OWNER = re.compile(r"\s(?:của|cua)\s+([^.;:?!]+?)\s*$", re.IGNORECASE)
_ONLY_LINKS = re.compile(r"[\s,]*(?:(?:và|hoặc|va|hoac)[\s,]*)*", re.IGNORECASE)


def place_owner_start(before: str, place: str, plain: bool = False) -> int:
    """Where the place's owner starts in the text before it, or len(before) when it has none: «Hội nghị định kỳ
    của cộng đồng dân cư | ở thôn, tổ dân phố» — an owner naming only the place's scope goes with the place
    when a follow-up swaps in another («Còn ở cơ quan nhà nước thì sao?»); kept, it names two scopes."""
    owner = _OWNER.search(before)
    scope = question_scope(place, plain)
    if owner is None or scope is None:
        return len(before)
    words = owner.group(1)
    spans = _scope_spans(words, plain)
    rest = list(words)
    for start, stop, _ in spans:
        rest[start:stop] = " " * (stop - start)
    covered = bool(spans) and _ONLY_LINKS.fullmatch("".join(rest)) is not None
    return owner.start() if covered and all(fits(scope, s) for _, _, s in spans) else len(before)


def question_scope(question: str, plain: bool = False) -> str | None:
    """The one scope a question names («xã phải công khai …» -> commune); None for none or several."""
    scopes = set(_scopes_in(question, plain))
    return scopes.pop() if len(scopes) == 1 else None


_AT = re.compile(r"\bở\s+([^›.]+)")


@lru_cache(maxsize=4096)
def passage_scope(context: str) -> str | None:
    """The scope of the innermost title that names one after «ở» (the context is 'title › Chương … › Điều …')."""
    for title in reversed(context.split("›")):
        for match in _AT.finditer(fold(title)):
            scopes = _scopes_in(match.group(1), plain=False)
            if scopes:
                return scopes[0]
    return None


def fits(asked: str, scope: str) -> bool:
    """A passage of scope fits a question of scope asked: the same, or within it («enterprise/state» within
    «enterprise»)."""
    return scope == asked or scope.startswith(asked + "/")

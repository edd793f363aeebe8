"""Small text helpers of the trainer: spans cut to a quote's length, capitalization, similarity."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.documents.normalize import fold as _fold

_SYLLABLE = re.compile(r"[^\W_]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """``normalize.fold``, remembered: the rules fold the same lines and options many times."""
    return _fold(text)


def syllables(text: str) -> list[str]:
    return _SYLLABLE.findall(fold(text))

_CLAUSE_BREAK = re.compile(r"[,;]\s+|\s+thì\s+")
_TRAILING = " \t\n,;"


def trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Whitespace off both ends, and a dangling ',' or ';' off the end."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1] in _TRAILING:
        e -= 1
    return s, e


def good_starts(text: str, s: int, e: int) -> list[int]:
    """Where a clause may start inside text[s:e]: after '; ', ' thì ', or a ', ' that does not only separate
    the short items of a list ('hương ước, quy ước', 'cơ quan, tổ chức, cá nhân')."""
    out = []
    for m in _CLAUSE_BREAK.finditer(text, s, e):
        following = re.split(r"[,;]", text[m.end():e], maxsplit=1)[0]
        if m.group(0).strip() != "," or len(following.split()) >= 3:
            out.append(m.end())
    return out


def _cut_end(text: str, start: int, hard_end: int, min_end: int) -> int:
    """The best end in (min_end, hard_end]: before a ',' or ';', else at a space."""
    window = text[min_end:hard_end]
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(window)]
    if breaks and min_end + breaks[-1] - start >= (hard_end - start) // 2:
        return min_end + breaks[-1]
    space = window.rfind(" ")
    if space > 0:
        return min_end + space
    return hard_end if min_end == start else min_end


def fit(text: str, s: int, e: int, limit: int = 200, keep: tuple[int, int] | None = None) -> tuple[int, int]:
    """A sub-span of text[s:e] of at most ``limit`` characters that holds ``keep``, cut at clause or word boundaries."""
    s, e = trim(text, s, e)
    if e - s <= limit:
        return s, e
    ks, ke = keep if keep else (s, s)
    ks, ke = max(ks, s), min(max(ke, ks), e)
    if ke - ks > limit:
        ke = ks + limit
        return trim(text, ks, _cut_end(text, ks, ke, ks))
    start = s
    if ke - start > limit:
        lowest = ke - limit
        clause_starts = [p for p in good_starts(text, s, ks) if lowest <= p <= ks]
        if clause_starts:
            start = clause_starts[0]
        else:
            spaces = [i + 1 for i in range(lowest - 1, ks) if text[i] == " "]
            start = spaces[0] if spaces else ks
    hard_end = min(e, start + limit)
    end = e if hard_end == e else _cut_end(text, start, hard_end, max(ke, start))
    return trim(text, start, end)


def cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with '…' when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[:limit - 1]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:") + "…"


def capitalize(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def sentence(text: str) -> str:
    """Capitalized, ending with one full stop (or the '…' of a cut)."""
    text = capitalize(text).rstrip(" ,;:")
    return text if text.endswith((".", "…", "?", "!")) else text + "."


# First words that stay capitalized inside a sentence: names of bodies and offices.
_KEEP_CAPITAL = {"ủy", "ban", "bộ", "hội", "mặt", "chủ", "trưởng", "phó", "nhà", "nhân", "đảng", "quốc", "chính",
                 "thủ", "tòa", "viện", "việt", "điều", "luật", "nghị", "hiến", "thường", "kiểm", "văn"}
_KEEP_PAIRS = {("công", "đoàn"), ("công", "an"), ("tổ", "soạn"), ("tổ", "trưởng"), ("tổ", "phát"), ("tổ", "dân"),
               ("hội", "đồng"), ("thanh", "tra")}
_WORDS = re.compile(r"[^\W\d_]+")


def lower_first(text: str) -> str:
    """'Hồ sơ đề nghị …' -> 'hồ sơ đề nghị …', but 'Ủy ban nhân dân …' and 'Tổ soạn thảo …' stay."""
    words = _WORDS.findall(text[:40])
    if not words or not text[:1].isupper():
        return text
    first = fold(words[0])
    second = fold(words[1]) if len(words) > 1 else ""
    if words[0].isupper() and len(words[0]) > 1:
        return text
    if first in _KEEP_CAPITAL or (first, second) in _KEEP_PAIRS:
        return text
    return text[0].lower() + text[1:]


@lru_cache(maxsize=65536)
def token_set(text: str) -> frozenset[str]:
    return frozenset(syllables(text))


def jaccard(a: str | frozenset[str], b: str | frozenset[str]) -> float:
    sa = a if isinstance(a, frozenset) else token_set(a)
    sb = b if isinstance(b, frozenset) else token_set(b)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def overlap(a: str, b: str) -> float:
    """Share of the smaller syllable set found in the other (containment)."""
    sa, sb = token_set(a), token_set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))


_SPELLED = re.compile(r"\s*\((?:[^()\d]{1,30})\)")


def mentions(haystack: str, phrase: str) -> bool:
    """Whether the phrase occurs in the text as whole words (matching form; '05 (năm) ngày' counts as '05 ngày')."""
    words = _WORDS_AND_NUMBERS.findall(_NO_ZEROS.sub(r"\1", fold(phrase)))
    if not words:
        return False
    plain = _plain(haystack)
    pattern = r"(?<![\w])" + r"\W+".join(re.escape(w) for w in words) + r"(?![\w])"
    return re.search(pattern, plain) is not None


@lru_cache(maxsize=4096)
def _plain(text: str) -> str:
    return _NO_ZEROS.sub(r"\1", _SPELLED.sub("", fold(text)))


_WORDS_AND_NUMBERS = re.compile(r"[^\W_]+")
_NO_ZEROS = re.compile(r"(?<![\d.,])0+(\d)")

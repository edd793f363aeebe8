"""Question -> Query: abbreviations expanded, follow-ups made standalone, accent-free form noticed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.data import data_lines
from bot.documents.normalize import fold, has_diacritics, plain_form, strip_diacritics
from bot.documents.structure import DOC_NUMBER
from bot.retrieval.scope import place_owner_start

Turn = dict  # {"role": "user" | "assistant", "content": str}


@dataclass
class Query:
    question: str  # as the user typed it
    text: str  # standalone and expanded: what retrievers read
    plain: bool  # typed without Vietnamese accents
    expansions: list[str] = field(default_factory=list)
    rewritten_from_history: bool = False
    standalone: str = ""  # the question with what it leans on from history, without expansions: what a model reads
    leans_on: str = ""  # the earlier question a rule-rewritten follow-up leans on
    said_before: str = ""  # the answer given to the question a follow-up leans on: not what it asks again


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    table = {}
    for line in data_lines("abbreviations.tsv"):
        short, _, long = line.partition("\t")
        table[short.strip()] = long.strip()
    return table


@lru_cache(maxsize=1)
def question_words() -> frozenset[str]:
    return frozenset(fold(w.strip()) for w in data_lines("question_words.txt"))


@lru_cache(maxsize=1)
def plain_question_words() -> frozenset[str]:
    """question_words without accents, for text compared so."""
    return frozenset(plain_form(w) for w in question_words())


def expand_abbreviations(text: str) -> list[str]:
    """Expansions of the abbreviations in text, outside document numbers ('16/CT-TTg' stays whole).

    Upper-case forms match as written; a lower-case form ('ubnd') matches from three letters on,
    so that short words such as 'ct' or 'cp' are not taken for abbreviations.
    """
    masked = DOC_NUMBER.sub(lambda m: " " * len(m.group(0)), text)
    table = abbreviations()
    found: list[str] = []
    for token in re.findall(r"\w+(?:-\w+)*", masked):
        long = table.get(token)
        if long is None and token.islower() and len(token) >= 3:
            long = table.get(token.upper())
        if long and long not in found:
            found.append(long)
    return found


@lru_cache(maxsize=1)
def _synonyms() -> tuple[tuple[str, str], ...]:
    """Both ways: (phrase, the documents' phrase for it), from bot/data/synonyms.tsv."""
    pairs = [(one.strip(), other.strip()) for one, _, other in (line.partition("\t") for line in data_lines("synonyms.tsv"))]
    return tuple((a, b) for one, other in pairs if one and other for a, b in ((one, other), (other, one)))


def expand_synonyms(text: str) -> list[str]:
    """'tối thiểu bao nhiêu ngày' -> ['ít nhất'] (accents optional): bounds on a quantity asked or given, never
    a term («mức lương tối thiểu vùng … là bao nhiêu» asks for no «ít nhất»)."""
    plain = plain_form(text)

    def says(phrase: str, before_quantity: bool = False) -> bool:
        # «tối thiểu bao nhiêu», «tối thiểu là bao lâu», «tối đa được mấy người»; not «lương tối thiểu …»
        quantity = r"(?:\s+\w+){0,2}?\s+(?:bao nhieu|bao lau|may|\d)" if before_quantity else r"\b"
        return re.search(rf"(?<!luong )\b{re.escape(plain_form(phrase))}{quantity}", plain) is not None

    return [other for phrase, other in _synonyms() if says(phrase, before_quantity=True) and not says(other)]


@lru_cache(maxsize=1)
def _document_terms() -> tuple[tuple[re.Pattern, str], ...]:
    """(how a question says it, accent-free; the documents' words), from bot/data/document_terms.tsv."""
    rows = (line.partition("\t") for line in data_lines("document_terms.tsv"))
    return tuple((re.compile(rf"\b{re.escape(plain_form(said))}\b"), written.strip()) for said, _, written in rows)


def expand_document_terms(text: str) -> list[str]:
    """'khi nao thi duoc bieu quyet truc tuyen' -> ['điều kiện']: the documents' words for an everyday phrase."""
    plain = plain_form(text)
    found = [written for said, written in _document_terms() if said.search(plain)]
    return [w for w in dict.fromkeys(found) if plain_form(w) not in plain]


# Document numbers typed in lower or mixed case: «25-nq/tw», «16/ct-ttg», «59/2023/nd-cp», «10/2022/qh15»,
# «34/2007/pl-ubtvqh11»; their first code is a kind of document (not «500/nguoi-thang», «3-ca/ngay», «1/3»).
_KIND_CODES = r"(?:nq|nđ|nd|qđ|qd|ct|tt|ttlt|tb|kl|hd|kh|qh\d*|pl|vbhn|lđtbxh|bc)"
_TYPED_DOC_NUMBER = re.compile(rf"(?<![\w/])\d+(?:-{_KIND_CODES}/[a-zđ]+|/(?:(?:19|20)\d\d/)?{_KIND_CODES}(?:-[a-zđ]+\d*)+"
                               rf"|/(?:19|20)\d\d/{_KIND_CODES})(?![\w/-])", re.IGNORECASE)
# «nd», «qd» in a number are «NĐ», «QĐ»
_CODE_WITH_D = re.compile(r"(?<![A-Z])([NQ])D(?![A-Z])")


def typed_document_numbers(text: str) -> list[str]:
    """«nq 25-nq/tw» -> ['25-NQ/TW'], «nd 59/2023/nd-cp» -> ['59/2023/NĐ-CP']: numbers not typed as documents write
    them, in the form they do, for the search to match and the evidence rules to check."""
    found = (m.group(0) for m in _TYPED_DOC_NUMBER.finditer(text) if not DOC_NUMBER.fullmatch(m.group(0)))
    return list(dict.fromkeys(_CODE_WITH_D.sub(r"\1Đ", number.upper()) for number in found))


def typed_number_spans(text: str) -> list[tuple[int, int]]:
    """Where typed_document_numbers found its numbers: a capitalised prefix inside one («59/2023/NĐ» of
    «59/2023/NĐ-cp») is no number of its own."""
    return [m.span() for m in _TYPED_DOC_NUMBER.finditer(text)]


def mentions_number(text: str, number: str) -> bool:
    """Does text mention this document number whole, both in ``plain_form``? «25-nq/tw» does not mention
    «5-nq/tw»; «05-ct/tw» mentions «5-ct/tw», and «59/2023/nd-cp» «59/2023/nd» typed without its suffix."""
    digits, rest = re.match(r"0*(\d*)(.*)", number, re.DOTALL).groups()
    return re.search(rf"(?<![\w/-])0*{re.escape(digits + rest)}(?:-\w+)*(?![\w/-])", text) is not None


_DIGIT_WORDS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
                "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}
_SCALE_WORDS = {"nghìn": 1000, "ngàn": 1000, "triệu": 1_000_000}
# A run of number words counts only when it holds one of these: a lone 'năm' or 'ba' is as often a year
# or a word as a number.
_MULTIPLIER_WORDS = frozenset({"mười", "mươi", "trăm", *_SCALE_WORDS})
_NUMBER_RUN = re.compile(rf"(?:\b(?:{'|'.join(sorted({*_DIGIT_WORDS, *_MULTIPLIER_WORDS, 'linh', 'lẻ'}))})\b\s*)+")


def _spelled_value(words: list[str]) -> int | None:
    """['hai', 'trăm', 'linh', 'năm'] -> 205; None when the words do not make one number."""
    total, block, digit = 0, 0, None
    for word in words:
        if word in _DIGIT_WORDS:
            if digit is not None:
                return None
            digit = _DIGIT_WORDS[word]
        elif word == "mươi":
            if digit is None:
                return None
            block, digit = block + digit * 10, None
        elif word == "mười":
            block, digit = block + 10, None
        elif word == "trăm":
            block, digit = block + (1 if digit is None else digit) * 100, None
        elif word in _SCALE_WORDS:
            total, block, digit = total + (block + (digit or 0) or 1) * _SCALE_WORDS[word], 0, None
    return total + block + (digit or 0)


def spelled_numbers(text: str) -> list[str]:
    """Numbers written in words, as digits: 'hơn hai trăm nóc nhà' -> ['200'] (documents write '200 hộ')."""
    found: list[str] = []
    for run in _NUMBER_RUN.findall(text.lower()):
        words = run.split()
        # 'phần trăm' is a percent and 'hàng nghìn' many: a number opens with a digit or 'mười'
        if _MULTIPLIER_WORDS.isdisjoint(words) or (words[0] in _MULTIPLIER_WORDS and words[0] != "mười"):
            continue
        value = _spelled_value(words)
        if value is not None and str(value) not in found:
            found.append(str(value))
    return found


# A follow-up leans on the previous turn: it starts like "Còn …", points back ("đó", "này", "trên"),
# or is too short to stand alone.
_FOLLOW_UP_START = re.compile(r"^\s*(còn|vậy|thế|thế còn|vậy còn|và|rồi|nếu vậy|con|the con|vay)\b", re.IGNORECASE)
_POINTS_BACK = re.compile(r"\b(đó|này|trên|ấy|kia|thì sao|như vậy|the nao|thi sao)\b", re.IGNORECASE)


_SHORT_FOLLOW_UP_WORDS = 4  # «Niêm yết ở đâu?» is too short to stand alone


def needs_history(question: str) -> bool:
    words = question.split()
    return bool(_FOLLOW_UP_START.match(question) or _POINTS_BACK.search(question)
                or len(words) <= _SHORT_FOLLOW_UP_WORDS)


# «Thế còn ở doanh nghiệp nhà nước thì sao ạ?», «Còn cấp tỉnh?»: the same question, of another place.
_ELLIPTICAL = re.compile(r"^\s*(?:thế còn|vậy còn|và|còn|the con|vay con|va|con)\s+(.+?)\s*(?:(?:thì|thi)\s+)?"
                         r"(?:sao|như thế nào|thế nào|nhu the nao|the nao|ra sao)?\s*(?:ạ|vậy|nhỉ|nhé|a|vay|nhi|nhe)?"
                         r"\s*[?.!]*\s*$", re.IGNORECASE)
# Words that open a place, as typed with or without accents -> as written with them.
_PLACE_OPENERS = {form(w): w for w in ("đối với", "ở", "tại", "trong", "cấp") for form in (str, strip_diacritics)}
_PLACE_OPENING = re.compile(rf"(?:^|\s)({'|'.join(sorted(_PLACE_OPENERS, key=len, reverse=True))})(?=\s)",
                            re.IGNORECASE)
_WORD_OR_COMMA = re.compile(r"[^\s,?.!;:]+|,")
# Words that ask a question of their own («Còn ở xã thì ai bầu?»), as typed with accents and without («mấy»
# only with them: typed without, «may» is also «máy»).
_OWN_QUESTION = ("gì", "ai", "đâu", "bao nhiêu", "bao lâu", "nào", "không", "chưa", "vì sao", "tại sao", "làm sao")
_ASKS_ITS_OWN = re.compile(rf"\b(?:{'|'.join((*_OWN_QUESTION, 'mấy'))})\b")
_ASKS_ITS_OWN_PLAIN = re.compile(rf"\b(?:{'|'.join(map(strip_diacritics, _OWN_QUESTION))})\b")


@lru_cache(maxsize=1)
def _place_words() -> tuple[frozenset[str], frozenset[str]]:
    """Places and bodies (bot/data/place_words.txt), with accents and without."""
    words = {fold(w.strip()) for w in data_lines("place_words.txt")}
    return frozenset(words), frozenset(strip_diacritics(w) for w in words)


_LONGEST_PLACE = 4  # syllables: «lực lượng vũ trang»


def _place_end(text: str, start: int) -> int | None:
    """Where the place that text[start:] names ends («xã, phường, thị trấn có …» -> after «trấn»): places of
    the list, longest first («tổ dân phố tổ chức …» stops before «tổ chức»), names in capitals, and the commas
    of a list; None when it begins with neither («tại sao», «tai nạn», «cấp giấy»)."""
    accented, plain = _place_words()
    without_accents = typed_without_accents(text)
    tokens = list(_WORD_OR_COMMA.finditer(text, start))
    end, i, after_comma = None, 0, False
    while i < len(tokens):
        if tokens[i].group(0) == ",":
            after_comma, i = True, i + 1
            continue
        words = [t.group(0) for t in tokens[i:i + _LONGEST_PLACE]]
        words = words[:words.index(",")] if "," in words else words
        size = next((n for n in range(len(words), 0, -1)
                     if (strip_diacritics(fold(" ".join(words[:n]))) in plain if without_accents
                         else fold(" ".join(words[:n])) in accented)), 0)
        if not size and words[0][:1].isupper() and not after_comma:  # «ở Hà Nội», «tỉnh Quảng Nam»
            size = 1
        if not size:
            break
        end, i, after_comma = tokens[i + size - 1].end(), i + size, False
    return end


def asked_of_place(question: str) -> str:
    """The place an elliptical follow-up asks the earlier question of («Thế còn ở doanh nghiệp nhà nước thì
    sao?» -> «ở doanh nghiệp nhà nước»), as typed, or "": it asks for the same kind of fact, of another place.
    A change of aspect («Còn mục đích thì sao?») or a question of its own («Còn ở xã thì ai bầu?») asks
    something else."""
    elliptical = _ELLIPTICAL.match(fold(question))  # fold keeps the text's length: spans hold for the question
    if not elliptical:
        return ""
    place = " ".join(question[elliptical.start(1):elliptical.end(1)].split())
    opened = _PLACE_OPENING.match(place)
    own = _ASKS_ITS_OWN if has_diacritics(place) else _ASKS_ITS_OWN_PLAIN
    if not opened or own.search(fold(place)) or _place_end(place, opened.end()) is None:
        return ""
    return place


def swap_place(previous: str, follow_up: str) -> str | None:
    """«Ban Thanh tra nhân dân ở xã có bao nhiêu thành viên?» + «Thế còn ở doanh nghiệp nhà nước thì sao?»
    -> «Ban Thanh tra nhân dân ở doanh nghiệp nhà nước có bao nhiêu thành viên?»; None when the follow-up
    names no place, or the earlier question none to swap.

    The place opened by the same word goes first: «Hạn chế trong công tác dân vận ở cơ quan …» +
    «Còn ở doanh nghiệp?» swaps «ở cơ quan …»; «trong» is swapped only for «trong» (it opens topics too).
    """
    place = asked_of_place(follow_up)
    if not place:
        return None
    opener = _PLACE_OPENERS[_PLACE_OPENING.match(place).group(1).lower()]
    openings = []
    for match in _PLACE_OPENING.finditer(previous):
        end = _place_end(previous, match.end(1))
        if end is not None:
            openings.append((match.start(1), end, _PLACE_OPENERS[match.group(1).lower()]))
    same = [o for o in openings if o[2] == opener]
    other = [o for o in openings if o[2] != "trong"]
    if not (same or other):
        return None
    start, end, _ = (same or other)[0]
    if start == 0:  # the place opens the question: it keeps its capital
        place = place[:1].upper() + place[1:]
    before = previous[:place_owner_start(previous[:start], previous[start:end], typed_without_accents(previous))]
    return f"{before.rstrip()} {place}{previous[end:]}".strip()


def content_pairs(text: str, plain: bool = True) -> set[tuple[str, str]]:
    """Adjacent syllables that both carry meaning, not across punctuation; accent-free when plain
    («hương ước, quy ước» -> ('huong', 'uoc'), ('quy', 'uoc'))."""
    form = plain_form if plain else fold
    stop = plain_question_words() if plain else question_words()
    pairs = set()
    for phrase in re.split(r"[^\w\s]+", form(text)):
        syllables = phrase.split()
        pairs.update((a, b) for a, b in zip(syllables, syllables[1:]) if a not in stop and b not in stop)
    return pairs


def _names_a_place(text: str) -> bool:
    return any(_place_end(text, m.end(1)) is not None for m in _PLACE_OPENING.finditer(text))


def _asks_anew(question: str, earlier: str) -> bool:
    """«Còn ai công nhận hương ước?» after «Dự thảo hương ước phải niêm yết bao lâu?»: a question of its own,
    long enough to stand alone, naming the subject again (a shared pair of content syllables), pointing back
    at nothing and naming no place (a place asks the earlier question's subject of it: «Còn ở xã thì ai
    bầu?»); joined to the earlier question it would be searched for the earlier question's answer."""
    own = _ASKS_ITS_OWN_PLAIN if typed_without_accents(question) else _ASKS_ITS_OWN
    return (len(question.split()) > _SHORT_FOLLOW_UP_WORDS and own.search(fold(question)) is not None
            and not _POINTS_BACK.search(question) and not _names_a_place(question)
            and bool(content_pairs(question) & content_pairs(earlier)))


def standalone_question(question: str, history: list[Turn] | None) -> tuple[str, str]:
    """Rule-based follow-up rewriting: the last user question with the place the follow-up asks about
    swapped in, or else joined to the follow-up, when this one leans on it.

    Returns (standalone question, the question it leans on or "")."""
    previous = [t["content"].strip() for t in without_small_talk(history)
                if t.get("role") == "user" and t.get("content", "").strip()]
    if not previous or not needs_history(question):
        return question, ""
    earlier = _standalone_earlier(previous[-_FOLLOW_UP_DEPTH:])
    if _asks_anew(question, earlier):
        return question, ""
    swapped = swap_place(earlier, _as_elliptical(question.strip(), earlier))
    # leaned on: the question as the user asked it, whose kind of fact a place follow-up asks again
    return swapped or f"{earlier} {question.strip()}", previous[-1]


_FOLLOW_UP_DEPTH = 3  # user questions a follow-up may lean on, through the ones between
_SUBJECTLESS_TERMS = 4  # content syllables, place aside, too few to name a subject («thế còn ở cơ quan thì mấy người»)


def _names_no_subject(question: str) -> bool:
    """A follow-up («còn …», «thế …», «… đó») whose words, its place aside, are too few to name what it asks
    about. «Hương ước là gì?» is short, and names its subject."""
    if not (_FOLLOW_UP_START.match(question) or _POINTS_BACK.search(question)):
        return False
    place = asked_of_place(question)
    stop = plain_question_words()
    words = [w for w in re.findall(r"\w+", plain_form(question.replace(place, " ") if place else question))
             if w not in stop]
    return len(words) <= _SUBJECTLESS_TERMS


def _standalone_earlier(questions: list[str]) -> str:
    """The last question, standalone when it is a follow-up naming no subject: a follow-up of a follow-up
    («ban TTND xã có ít nhất mấy người» -> «thế còn ở cơ quan thì mấy người» -> «còn DNNN thì sao») leans on
    what the one before it asked, subject included. One that names its own («còn hội nghị người lao động ở
    DNNN thì sao») leaves the older subject behind."""
    history = [{"role": "user", "content": q} for q in questions[:-1]]
    if not history or not _names_no_subject(questions[-1]):
        return questions[-1]
    return standalone_question(questions[-1], history)[0]


# «… thì ai?», «… thì bao lâu ạ?», «… thì mấy người?» closing a follow-up (accents optional)
_CLOSING_QUESTION_WORD = re.compile(
    rf"\s+(?:thì|thi)\s+({'|'.join(w for word in (*_OWN_QUESTION, 'mấy') for w in (word, strip_diacritics(word)))})"
    r"((?:\s+\w+){0,2}?)\s*(?:ạ|vậy|nhỉ|nhé|a|vay|nhi|nhe)?\s*[?.!]*\s*$", re.IGNORECASE)
_HOW_MANY = r"\b(?:bao nhieu|may)\b"  # one question, however it is asked
_HOW_LONG = rf"\bbao lau\b|{_HOW_MANY}\s+(?:ngay|thang|nam|tuan|gio)\b"  # «bao lâu» of «mấy ngày»


def _as_elliptical(follow_up: str, earlier: str) -> str:
    """«Thế còn ở cơ quan nhà nước thì ai?» after «Ai chỉ đạo … ở xã?» asks the same question of another place:
    -> «Thế còn ở cơ quan nhà nước thì sao?»; so do «… thì mấy người?» after «… có bao nhiêu thành viên?» and
    «… thì bao lâu?» after «… chậm nhất mấy ngày?». A question word the earlier question lacks asks something
    else; so does a noun after any other word than «mấy», «bao nhiêu» («… thì ai bầu?»)."""
    closing = _CLOSING_QUESTION_WORD.search(follow_up)
    if closing is None:
        return follow_up
    word, noun = plain_form(closing.group(1)), closing.group(2).strip()
    counted = re.fullmatch(_HOW_MANY, word) is not None
    if noun and not counted:
        return follow_up
    same = _HOW_MANY if counted else _HOW_LONG if word == "bao lau" else rf"\b{re.escape(word)}\b"
    if not re.search(same, plain_form(earlier)):
        return follow_up
    return f"{follow_up[:closing.start()]} {'thi sao' if typed_without_accents(follow_up) else 'thì sao'}?"


# Exam phrasing that names no content: "…, đúng hay sai?", "Chọn đáp án đúng", "A. …" choice letters.
_TRUE_FALSE = re.compile(r"[,;:]?\s*(?:đúng hay sai|đúng hoặc sai|là đúng hay sai|nhận định (?:này|trên) đúng hay sai)\s*[?.!]*\s*$",
                         re.IGNORECASE)
_CHOICE_LETTER = re.compile(r"^\s*[A-Da-d][.)]\s+", re.MULTILINE)
_PICK_ONE = re.compile(r"\b(?:chọn|hãy chọn)\s+(?:đáp án|phương án|câu trả lời)\s+(?:đúng|sai)(?:\s+nhất)?\b[:.]?",
                       re.IGNORECASE)


def clean_exam_phrasing(question: str) -> str:
    """'X, đúng hay sai?' -> 'X'; multiple-choice letters dropped, the choices' words kept."""
    text = _TRUE_FALSE.sub("", question.strip())
    text = _CHOICE_LETTER.sub("", text)
    return _PICK_ONE.sub("", text).strip()


# Words that address the bot or soften a message: «Cảm ơn bạn nhiều nhé!», «Chào bot ạ».
_ADDRESS_WORDS = ("bạn", "bot", "em", "anh", "chị", "ad", "admin", "trợ lý", "tôi", "mình", "ạ", "nhé", "nha", "ơi",
                  "nhiều", "rất", "lắm", "xin", "a", "nhe", "vậy", "thế", "nhỉ")


@lru_cache(maxsize=2)
def _small_talk(plain: bool) -> re.Pattern:
    """One pattern: a message made only of small-talk phrases and words addressing the bot, one phrase at least."""
    form = plain_form if plain else fold
    phrases = "|".join(sorted({form(line.strip()) for line in data_lines("small_talk.txt")}, key=len, reverse=True))
    fillers = "|".join(sorted({form(w) for w in _ADDRESS_WORDS}, key=len, reverse=True))
    part = rf"(?:{phrases}|{fillers})"
    return re.compile(rf"^(?=.*\b(?:{phrases})\b){part}(?: {part})*$")


def is_small_talk(question: str) -> bool:
    """A greeting, thanks or «bạn là ai?» rather than a question about the documents (accents optional:
    «chao ban» is small talk, «Ban là ai» is not)."""
    plain = typed_without_accents(question)
    words = " ".join(re.findall(r"\w+", plain_form(question) if plain else fold(question)))
    return bool(words) and _small_talk(plain).match(words) is not None


def without_small_talk(history: list[Turn] | None) -> list[Turn]:
    """The conversation less its greetings and thanks, and the replies to them: what a follow-up leans on."""
    kept: list[Turn] = []
    skipping = False
    for turn in history or []:
        if turn.get("role") == "user":
            skipping = is_small_talk(str(turn.get("content", "")))
        if not skipping:
            kept.append(turn)
    return kept


def typed_without_accents(text: str) -> bool:
    return bool(re.sub(r"[^\w]", "", text)) and not has_diacritics(text)


@lru_cache(maxsize=1)
def _chat_shortcuts() -> tuple[dict[str, str], re.Pattern]:
    """The shortcuts (bot/data/chat_shortcuts.tsv) and one pattern finding any of them as a word."""
    table = dict(line.split("\t", 1) for line in data_lines("chat_shortcuts.tsv"))
    # never inside a document number («22/2018/qđ-ttg»)
    return table, re.compile(rf"(?<![/-])\b(?:{'|'.join(map(re.escape, table))})\b(?![/-])", re.IGNORECASE)


# «bn» is «bao nhiêu» only where a quantity is asked («có bn người», «là bn?», «mất bn ngày»); elsewhere it is
# «bạn» («bn cho mình hỏi», «cảm ơn bn»).
_QUANTITY_BEFORE = re.compile(r"\b(?:có|co|là|la|mất|mat|được|duoc|gồm|gom|hết|het|trong|tối đa|toi da|ít nhất|it nhat)\s+$",
                              re.IGNORECASE)


# «phó ban» is a Ban's «phó trưởng ban» where it is counted («mấy phó ban», «bn phó ban», «02 phó ban», «phó ban
# … tối đa bao nhiêu người»)
_COUNT_WORDS = r"(?:mấy|may|bao nhiêu|bao nhieu|bn)"
_COUNT_BEFORE = re.compile(rf"\b(?:{_COUNT_WORDS}|\d+)\s+$", re.IGNORECASE)
_COUNT_AFTER = re.compile(rf"(?:\s+\w+){{0,8}}?\s+{_COUNT_WORDS}\b", re.IGNORECASE)


# … or before a counted unit («chậm nhất bn ngày», «bn người»)
_COUNTED_AFTER = re.compile(r"\s+(?:ngày|ngay|tháng|thang|năm|tuần|tuan|giờ|gio|người|nguoi|lần|lan|hộ|tuổi|tuoi|"
                            r"thành viên|thanh vien|phần trăm|phan tram|%|phó|pho|ủy viên|uy vien)(?!\w)",
                            re.IGNORECASE)  # «đc bn phó trưởng ban»


def expand_chat_shortcuts(question: str) -> str:
    """«theo luật thì dân đc bàn gì» -> «… dân được bàn gì»; «co bn nguoi» -> «co bao nhieu nguoi» (accents as the
    question has them; «Ko» at the start -> «Không»). The question words and facts rules read the words the
    shortcuts stand for. Upper-case tokens («BN», «J») are no shortcut."""
    plain = typed_without_accents(question)
    table, shortcut = _chat_shortcuts()

    def expand(match: re.Match) -> str:
        word, key = match.group(0), match.group(0).lower()
        if key not in table or word.isupper() or (word != key and word != key.capitalize()):
            return word
        if key == "bn" and not (_QUANTITY_BEFORE.search(question[:match.start()])
                                or _COUNTED_AFTER.match(question[match.end():])):
            return word
        if key in ("phó ban", "pho ban") and not (_COUNT_BEFORE.search(question[:match.start()])
                                                  or _COUNT_AFTER.match(question[match.end():])):
            return word  # «đối phó ban ngày», «pho ban hang rong» (phố bán hàng rong)
        if key in ("đc", "dc") and question[match.end():].lstrip()[:1].isupper():  # «đc Bí thư»: «đồng chí»
            return word
        long = strip_diacritics(table[key]) if plain else table[key]
        return long.capitalize() if word != key else long

    return shortcut.sub(expand, question)


def make_query(question: str, history: list[Turn] | None = None) -> Query:
    question = expand_chat_shortcuts(question.strip())
    standalone, previous = standalone_question(clean_exam_phrasing(question), history)
    expansions = (expand_abbreviations(standalone) + expand_synonyms(standalone) + expand_document_terms(standalone)
                  + typed_document_numbers(standalone) + spelled_numbers(standalone))
    text = " ".join([standalone, *expansions])
    return Query(question=question, text=text, plain=typed_without_accents(question),
                 expansions=expansions, rewritten_from_history=bool(previous), standalone=standalone,
                 leans_on=previous, said_before=last_answer(history) if previous else "")


def last_answer(history: list[Turn] | None) -> str:
    """The last assistant turn but the replies to small talk, without its citation marks."""
    said = [str(t.get("content") or "") for t in without_small_talk(history) if t.get("role") == "assistant"]
    said = [text for text in said if text.strip()]
    return re.sub(r"\s*\[\d+(?:\s*,\s*\d+)*\]", "", said[-1]) if said else ""


def content_terms(text: str) -> list[str]:
    """Matching-form syllables that carry meaning (question words dropped), in order, unique."""
    stop = question_words()
    seen: dict[str, None] = {}
    for syllable in re.findall(r"\w+", fold(text)):
        if syllable not in stop:
            seen.setdefault(syllable, None)
    return list(seen)


# --- Accent restoration for questions typed without accents ----------------------------------

AccentVocabulary = dict[str, str]  # accent-free word or syllable -> its most frequent accented form


# How many times a question word counts as if the corpus had it alone: more than a rare form of the
# corpus («ái» of «tương thân tương ái»), less than a common one («Ban» of «Ban Thanh tra»).
_QUESTION_WORD_WEIGHT = 10


def accent_vocabulary(token_streams: list[list[str]]) -> AccentVocabulary:
    """From the corpus' own words ('dân_chủ', 'dân', …): which accented form each plain form stands for."""
    # A syllable is restored alone only where no word of two or three syllables matched, so its form is
    # the one it has as a word of its own: «co» is «có» (the syllables of «cơ sở», «cơ quan» count apart).
    alone: dict[str, dict[str, int]] = {}
    within: dict[str, dict[str, int]] = {}
    for stream in token_streams:
        inside = 0  # syllables still to come of the compound word just seen
        for token in stream:
            counts = within if inside else alone
            inside = token.count("_") + 1 if "_" in token else max(inside - 1, 0)
            forms = counts.setdefault(strip_diacritics(token), {})
            forms[token] = forms.get(token, 0) + 1
    phrases = {}
    for word in question_words():  # rare in documents, common in questions: «ai» is no «ái», «may» no «máy»
        accented = word.replace(" ", "_")
        if "_" in accented:
            phrases[strip_diacritics(accented)] = accented
        else:  # a word addressing the bot («bạn») yields to the corpus («Ban Thanh tra»)
            weight = 1 if accented in _ADDRESS_WORDS else _QUESTION_WORD_WEIGHT
            forms = alone.setdefault(strip_diacritics(accented), {})
            forms[accented] = forms.get(accented, 0) + weight
    vocabulary = {plain: max(forms.items(), key=lambda item: item[1])[0] for plain, forms in within.items()}
    vocabulary.update((plain, max(forms.items(), key=lambda item: item[1])[0]) for plain, forms in alone.items())
    vocabulary.update(phrases)
    return vocabulary


def restore_accents(text: str, vocabulary: AccentVocabulary) -> str:
    """'luat thuc hien dan chu' -> 'luật thực hiện dân chủ', preferring two-syllable words of the corpus.

    Unknown syllables stay as typed, so the result is never worse than the input for matching.
    """
    syllables = re.findall(r"[^\W_]+", fold(text))
    out: list[str] = []
    i = 0
    while i < len(syllables):
        pair = f"{syllables[i]}_{syllables[i + 1]}" if i + 1 < len(syllables) else ""
        triple = f"{pair}_{syllables[i + 2]}" if i + 2 < len(syllables) else ""
        if triple and triple in vocabulary:
            out.extend(vocabulary[triple].split("_"))
            i += 3
            continue
        if pair and pair in vocabulary:
            out.extend(vocabulary[pair].split("_"))
            i += 2
            continue
        out.append(vocabulary.get(syllables[i], syllables[i]))
        i += 1
    return " ".join(out)


# --- References to articles and documents ------------------------------------------------------

_ARTICLE_REF = re.compile(r"\bdieu\s+(\d+[a-z]?)\b")
# Kinds of document a question names before a number, accent-free («Nghị định 61», «Chỉ thị số 16»).
DOC_KINDS_PLAIN = r"(?:bo luat|luat|nghi dinh|nghi quyet|thong tu|quyet dinh|chi thi)"
_DOC_NUMBER_PREFIX = re.compile(rf"\b{DOC_KINDS_PLAIN}\s+(?:so\s+)?(\d+)")


def article_references(question: str) -> list[str]:
    """'Điều 26 của Nghị định 61' -> ['26'] (accents optional)."""
    return list(dict.fromkeys(_ARTICLE_REF.findall(plain_form(question))))


_WHICH_ARTICLE = re.compile(r"\bdieu (?:nao|may|bao nhieu|so may)\b|\bdieu khoan nao\b")


def asks_which_article(question: str) -> bool:
    """'Điều nào của Luật … quy định về …?': the answer is an article's number and title."""
    return _WHICH_ARTICLE.search(plain_form(question)) is not None


def names_document(question: str, number: str, title: str) -> bool:
    """Does the question name this document, by its number ('61/2023/NĐ-CP', 'Nghị định 61') or its title?"""
    q = plain_form(question)
    plain_number = plain_form(number) if number else ""
    if plain_number:
        if plain_number in {plain_form(n) for n in DOC_NUMBER.findall(question)}:
            return True
        if any(plain_number.startswith(f"{n}/") for n in _DOC_NUMBER_PREFIX.findall(q)):
            return True
    name = title_name(title)
    return bool(name) and re.search(rf"\b{re.escape(name)}\b", q) is not None


def named_documents(question: str, doc_articles: dict[str, tuple[str, str, set[str]]]) -> set[str]:
    """The ids of the documents the question names; doc_articles as ``Index.doc_articles()`` gives them."""
    return {doc_id for doc_id, (number, title, _) in doc_articles.items() if names_document(question, number, title)}


def title_name(title: str) -> str:
    """'Bộ luật Hình sự, văn bản hợp nhất (01/VBHN-VPQH)' -> 'bo luat hinh su': the name a question uses."""
    return plain_form(re.sub(r"\([^)]*\)|,\s*văn bản hợp nhất", " ", title, flags=re.IGNORECASE)).strip()

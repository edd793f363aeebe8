"""The kind of fact a question asks for, and whether a sentence holds one.

"bao lâu" is answered by a duration, "ngày nào" by a date, "bao nhiêu hộ" by a count of households,
"là ai" by a person's name, "có tên là gì" by a quoted name, "X phát biểu gì" by a sentence where X speaks;
"… là gì" by the sentence that opens with the term, "X có ý nghĩa gì" by a sentence speaking of X, "văn bản nào"
by a document number.
The evidence rules refuse when no answering sentence holds a required fact (a guess otherwise: seed ts-049,
ts-056, seed_dev sd-001), and the composer centres the answer on the sentence that holds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.documents.model import innermost_title
from bot.documents.normalize import fold, has_diacritics, plain_form, strip_diacritics, syllables
from bot.documents.structure import DOC_NUMBER
from bot.data import data_lines
from bot.retrieval.query import expand_abbreviations, names_document, plain_question_words, question_words

# A figure in digits or words, with an optional spelled-out repeat: "05 (năm)", "hai phần ba", "50%".
# "một" is a figure only before a unit ("ít nhất một lần"): "một số", "một bộ phận" count nothing.
_FIGURE_ITSELF = (r"(?:\b\d+(?:[.,]\d+)?%?|\b(?:hai|ba|bốn|sáu|bảy|tám|chín|mười|mươi|trăm|nghìn|nửa)\b"
                  r"|\bmột(?=\s+(?:lần|kỳ|lượt|năm|tháng|ngày|tuần|giờ|phút)\b))")
_SPELLED_REPEAT = r"\s*\([^)]{1,30}\)"
_FIGURE = rf"{_FIGURE_ITSELF}(?:{_SPELLED_REPEAT})?"
_TIME_UNITS = r"(?:ngày|tháng|năm|giờ|tuần|phút)"
_DURATION = _FIGURE + rf"\s*{_TIME_UNITS}"
# «bao lâu một lần» asks how often: «mỗi năm một lần», «định kỳ hằng năm», «06 tháng một lần».
_FREQUENCY = rf"{_DURATION}|\b(?:hằng|hàng|mỗi)\s+(?:năm|quý|tháng|tuần|ngày)\b|\bđịnh kỳ\b"
# "13/1/2022", "ngày 13/1", "(15/10)", "13 tháng 1", "15-8-2023"; "59/2023" and "16/CT-TTg" are document
# numbers.
_DAY_DATE = (r"\b\d{1,2}\s*/\s*\d{1,2}\b(?!\s*/\s*\D)|\b\d{1,2}\s+tháng\s+\d{1,2}"
             r"|\b\d{1,2}[.-]\d{1,2}[.-]\d{4}\b")
# Counted nouns whose figure is written with another word ("bao nhiêu tiền" -> "... đồng").
_UNIT_WORDS = {"tiền": r"(?:đồng|triệu|tỷ|nghìn|%)", "phần trăm": r"%"}
# Subjects that are amounts of money.
_MONEY_SUBJECT = re.compile(r"\b(?:lương|tiền|kinh phí|lệ phí|mức phạt|phụ cấp|trợ cấp)\b")
# «không mấy quan tâm», «mấy ai», «mấy khi», «mấy năm gần đây» count nothing.
_NOT_COUNTING = re.compile(r"\b(?:không|chưa|chẳng|chả|khong|chua|chang|cha)\s+(?:mấy|may)\b|\b(?:mấy|may)\s+(?:ai|khi)\b|"
                           r"\b(?:mấy|may)\s+\w+\s+(?:gần đây|qua|nay|trở lại|gan day|tro lai)\b")
# «có hiệu lực từ bao giờ», «áp dụng đến khi nào» ask for a date; elsewhere «từ khi nào» may ask for an event
# («được tính từ khi nào»: «kể từ ngày có quyết định»), a year, or on what condition («thông qua khi nào»).
_SINCE_WHEN = re.compile(r"\b(?:hieu luc|ap dung|thi hanh)(?:\s+(?:tu|den))?\s+(?:bao gio|khi nao)\b")
# "Điều mấy", "lần thứ mấy" ask which one, not how many.
_ORDINAL = re.compile(r"\b(?:điều|khoản|điểm|chương|mục|phần|thứ|số|khóa|khoá|trung ương|dieu|khoan|diem|chuong|"
                      r"muc|phan|thu|so|khoa|trung uong)\s+(?:mấy|may)\b")
# Counts whose noun the text may name otherwise ("bao nhiêu người" -> "05 thành viên"), though never with a
# unit of time, money or a percent («mấy người?» is not answered by «trong thời hạn 15 ngày»).
_GENERIC_COUNTS = {"người", "lần", "cái", "loại", "bước", "nội", "hình", "trường"}
# Counted people that a text may count as «người»: «tối đa mấy phó trưởng ban» — «không quá 02 người»
# (the first two words of the noun asked about; «đảng bộ», «đại hội», «thành phố» are no people).
_COUNTED_PEOPLE = ("phó trưởng", "phó chủ", "trưởng ban", "thành viên", "ủy viên", "đại biểu", "đại diện", "cán bộ",
                   "đảng viên", "công chức", "hội viên")
# What «mấy người» may be counted as in a text: «từ 03 đến 05 người», «không ít hơn 05 thành viên».
_PEOPLE_NOUNS = ("người|thành viên|đại biểu|ủy viên|đại diện|cán bộ|công chức|viên chức|đảng viên|hội viên|cử tri|"
                 "đồng chí|lượt người|trưởng ban|trưởng thôn|phó trưởng ban|phó chủ tịch")
# Roles within a body: its «người» may count the whole body («không ít hơn 05 người» are its members), so
# they are counted as «người» only in a sentence that names them.
_ROLES_IN_A_BODY = ("phó trưởng", "phó chủ", "trưởng ban", "ủy viên")
# Deputies, named with the office they stand in for: «phó trưởng thôn», «phó trưởng ban», «phó chủ tịch».
_DEPUTIES = ("phó trưởng", "phó chủ")
# Words after «phó trưởng» that name no office («… mấy phó trưởng là đúng quy định?»).
_NO_OFFICE = ("là", "của", "ở", "tại", "được", "có", "thì", "và", "hay", "hoặc", "theo", "trong", "không", "ko")
# "bao nhiêu thành viên", "mấy lần"; typed without accents "may" is also "máy", "may": a count only before
# a noun that is counted.
_COUNT = r"\b(?:bao nhiêu|mấy)\s+(\w+(?:\s+\w+)?)"
_COUNT_PLAIN = (r"\b(?:bao nhieu\s+(\w+(?:\s+\w+)?)|may\s+(lan|nguoi|ngay|thang|nam|tuan|gio|ho|buoc|loai|cap|"
                r"thanh vien|hinh thuc|noi dung|truong hop|dieu|khoan|phan tram|"
                rf"{'|'.join(strip_diacritics(p) for p in _COUNTED_PEOPLE)})\b)")
# A count: whole (no digit, «/» or «%» on either side, not inside a spelled-out repeat), its repeat taken
# atomically, and no unit after it: «30 (ba mươi) ngày», «15/8/2023», «500 nghìn đồng», «phần trăm» count
# nothing.
_COUNTED = (rf"(?<![\d/.,])(?<!phần )(?<!hàng ){_FIGURE_ITSELF}(?![\d.,%/])(?<!%)(?![^()]*\))(?>(?:{_SPELLED_REPEAT})?)"
            r"(?!\s*(?:ngày|tháng|năm|giờ|tuần|phút|đồng(?!\s+chí\b)|nghìn|ngàn|triệu|tỷ|phần trăm)\b)")

# "2. " or "b) " opening a sentence numbers a clause, and "khoản 6 Điều 15" refers to one: neither is a
# figure of the answer ("tối đa bao nhiêu điều?" is not answered by "khoản 6 Điều 15").
_ENUMERATION = re.compile(r"^\s*(?:\d+\.|[a-zđ]\))\s+")
_REFERENCE = re.compile(r"\b(?:khoản|điểm|điều|chương|mục|phần)\s+\d+[a-zđ]?\b")
_CITED_DOCUMENT = re.compile(rf"({DOC_NUMBER.pattern})(?:\s+ngày\s+\d{{1,2}}(?:\s+tháng\s+\d{{1,2}}\s+năm\s+\d{{4}}"
                             rf"|\s*/\s*\d{{1,2}}\s*/\s*\d{{4}}))?")

_ASKS_PERSON = r"^(.*?)\s+là ai\b|^ai là\s+(.*?)\s*[?.!]*$"
_ASKS_WHO = re.compile(r"\bai\b")
_ASKS_NAME = r"^(.*?)\s+(?:có |mang )?tên(?: gọi)?(?: là)? gì\b"
# "X phát biểu gì?" asks for what a person said; "Luật nói gì …?", "Nghị định yêu cầu gì?" ask what a text says.
_ASKS_SPEECH = r"^(.*?)\s+(?:đã\s+)?(?:phát biểu|nhấn mạnh|khẳng định|kết luận|cho biết)\s+(?:những\s+)?(?:gì|điều gì|nội dung gì)\b"
_SPEECH = re.compile(r"\b(?:phát biểu|nói|nhấn mạnh|cho biết|khẳng định|kết luận|chỉ đạo|đề nghị|yêu cầu)\b")
# A subject that is a text, not a person or an office.
_DOCUMENT_WORDS = re.compile(r"^(?:bộ luật|luật|nghị định|nghị quyết|thông tư|quyết định|chỉ thị|văn bản|điều|khoản|"
                             r"chương|hiến pháp|quy chế|hương ước|nq|nđ|qđ|ct)\b")
# Offices held by one person: "… là ai?" asks for a name.
_OFFICE_WORDS = re.compile(r"^(?:phó\s+)?(?:chủ tịch|tổng bí thư|bí thư|bộ trưởng|thủ tướng|trưởng ban|giám đốc|"
                           r"chánh án|viện trưởng|tổng thư ký|chủ nhiệm)\b")
_NOW_WORDS = re.compile(r"\s+(?:hiện nay|hiện tại|hiện giờ|bây giờ|ngày nay|đương nhiệm)$")
_ASKS_DEFINITION = r"^(.*?)\s+(?:được hiểu\s+|có nghĩa\s+)?là gì\s*[?.!]*\s*$"
# «Thực hiện pháp luật về dân chủ ở cơ sở có ý nghĩa gì?», «Việc xây dựng các mô hình đó đem lại tác dụng gì?»
_ASKS_SIGNIFICANCE = (r"^(.*?)\s+(?:có|mang lại|đem lại|mang đến|đem đến)\s+(?:ý nghĩa|vai trò|tác dụng|lợi ích|"
                      r"tầm quan trọng)\s+(?:gì|như thế nào|thế nào|ra sao)\b")
# «các mô hình đó»: what the question before named (not «hiện nay», «ngày nay», «bây giờ»)
_POINTING_WORDS = r"(?:\s+(?<!hiện )(?<!ngày )(?<!bây )(?:đó|này|ấy|kia))+$"
# «Vai trò của Ban Thanh tra nhân dân là gì?»
_ASKS_SIGNIFICANCE_OF = r"^(?:ý nghĩa|vai trò|tác dụng|lợi ích|tầm quan trọng)\s+của\s+(.*?)\s+là\s+gì\b"
# How many syllables may stand between two of the subject's in a sentence that speaks of it: «việc thực hiện pháp
# luật về dân chủ trên tất cả các lĩnh vực ở cơ sở» speaks of «thực hiện pháp luật về dân chủ ở cơ sở».
_SUBJECT_GAP_SYLLABLES = 6
_DOCUMENT_KINDS = r"(?:van ban|nghi dinh|nghi quyet|quyet dinh|thong tu|chi thi|luat)"
_ASKS_DOCUMENT = re.compile(rf"\b{_DOCUMENT_KINDS} nao\b")
# «quyết định số mấy», «QĐ số bao nhiêu», «nghị định số nào» (chat shortcuts: qđ, nđ, nq)
_ASKS_DOCUMENT_NUMBER = re.compile(rf"\b({_DOCUMENT_KINDS}|qd|nd|nq)\s+so\s+(?:may|bao nhieu|nao|gi)\b")
# the code a number of that kind holds («61/2023/NĐ-CP», «25-NQ/TW», «16/CT-TTg», «10/2022/QH15»), accent-free
_NUMBER_CODES = {"nghi dinh": "ND", "nd": "ND", "quyet dinh": "QD", "qd": "QD", "nghi quyet": "NQ", "nq": "NQ",
                 "chi thi": "CT", "luat": "QH"}
_QUOTED = re.compile(r"[“\"«‘]([^”\"»’]{3,})[”\"»’]")
_LEAD_WORDS = re.compile(r"^(?:(?:theo|tại|trong|hãy cho (?:tôi|em) biết|cho (?:tôi|em) hỏi|xin hỏi|đồng chí|ông|bà)\s+)+")
# Words before "tên" that name nothing: "Hai mô hình … có tên là gì?" -> "mô hình".
_FILLER_WORDS = {"một", "hai", "ba", "bốn", "năm", "các", "những", "có", "mang", "mot", "bon", "cac", "nhung", "co"}


@dataclass(frozen=True)
class Fact:
    kind: str  # "figure" | "person" | "name" | "document" | "document number" | "definition" | "significance" | "speech"
    pattern: str = ""  # the figure asked for ("figure")
    subject: str = ""  # folded; accent-free when the question is: the counted noun, the office, the speaker,
    # the thing named
    # False: the fact only picks the sentence to quote. "Ai chủ trì …?" is answered in a law by a role
    # ("Trưởng thôn"), in the news by a name; "… là ai?" asks for a person.
    required: bool = True
    # the counted people («phó trưởng»; folded, accent-free when the question is), whom a text may count as
    # «người» («Số lượng Phó Trưởng ban … không quá 02 người»)
    people: str = ""
    named: str = ""  # words the sentence must name besides the figure (the people it counts as «người»)


def _amount(unit: str) -> str:
    """Digits written with the unit word ("tiền" -> "… đồng", "… triệu")."""
    return rf"\d[\d.,]*\s*{_UNIT_WORDS[unit]}"


def _figure_pattern(q: str, plain: bool) -> tuple[str, str, str] | None:
    """(pattern, counted noun, the counted people if it counts people) for the folded question; accent-free
    when typed so.

    Documents are written with accents: the pattern is matched with them, and only the counted noun taken
    from the question ("bao nhieu thanh vien" -> "thanh") is compared accent-free.
    """
    form = strip_diacritics if plain else str
    plain_q = strip_diacritics(q)
    if re.search(r"\bbao lau(?:\s+\w+){0,2}\s+(?:mot|1)\s+lan\b", plain_q):  # «bao lâu (thì họp) một lần»
        return _FREQUENCY, "", ""
    if re.search(r"\bbao lau\b", plain_q):
        return _DURATION, "", ""
    if re.search(r"\b(ngay nao|hom nao|thoi diem nao|ngay may|thang may)\b", plain_q) or _SINCE_WHEN.search(plain_q):
        return _DAY_DATE, "", ""
    counted = _NOT_COUNTING.sub(" ", _ORDINAL.sub(" ", q))
    match = re.search(_COUNT_PLAIN if plain else _COUNT, counted)
    if match:
        words = next(g for g in match.groups() if g).split()
        if words[0] in (plain_question_words() if plain else question_words()):
            return _FIGURE, "", ""
        if words[0] == form("người"):  # «mấy người» is not answered by «từ 200 hộ gia đình trở lên»
            return rf"{_COUNTED}\s+(?:{_PEOPLE_NOUNS})\b", "", ""
        if words[0] in {form(w) for w in _GENERIC_COUNTS}:
            return _COUNTED, "", ""
        units = {form(u): u for u in _UNIT_WORDS}
        unit = " ".join(words) if " ".join(words) in units else words[0]
        if unit in units:
            return _amount(units[unit]), "", ""
        # "50% tổng số đại diện hộ gia đình" counts households; "05 thành viên Ban" counts no Ban; "06 tháng năm"
        # counts months, not years (a unit of time is no word between the figure and its noun)
        people = " ".join(words[:2])
        if people not in {form(p) for p in _COUNTED_PEOPLE}:
            people = ""
        elif (people in {form(p) for p in _DEPUTIES} and (office := re.match(r"\s+(\w+)", counted[match.end():]))
              and office.group(1) not in {form(w) for w in _NO_OFFICE}
              and office.group(1) not in (plain_question_words() if plain else question_words())):
            people += " " + office.group(1)  # «phó trưởng thôn», «phó trưởng ấp» are no «phó trưởng ban»
        return rf"{_FIGURE}\s+(?:tổng số\s+)?(?:đại diện\s+|(?!{_TIME_UNITS}\b)\w+\s+)?", words[0], people
    if re.search(r"\bbao nhieu\b", plain_q):
        # "Mức lương … là bao nhiêu?": an amount of money, not any figure
        return (_amount("tiền") if re.search(form(_MONEY_SUBJECT.pattern), q) else _FIGURE), "", ""
    return None


def _subject(phrase: str, form=str) -> str:
    """The last clause before the question's verb, without leading filler words (form: str, or
    strip_diacritics for a question typed without accents)."""
    clause = re.split(r"[,.;:?!]", phrase)[-1].strip()
    return re.sub(form(_LEAD_WORDS.pattern), "", clause).strip()


def _starts(pattern: re.Pattern, text: str, form) -> bool:
    return re.match(form(pattern.pattern), text) is not None


# How many words may join the term defined before «là» («Hương ước, quy ước là …» defines «hương ước»).
_PAIRED_TERM_WORDS = 3
# Particles closing a chat question: «Hương ước là gì vậy?», «… là ai thế ạ?».
_CLOSING_PARTICLES = re.compile(r"(?:\s+(?:vậy|ạ|nhỉ|nhé|nha|thế|hả|vay|nhi|nhe|the|ha))+\s*([?.!]*)\s*$")


def expected_fact(question: str, plain: bool = False) -> Fact | None:
    """plain: the question was typed without accents (its patterns are matched accent-free)."""
    q = _CLOSING_PARTICLES.sub(r"\1", fold(question))
    plain_q = strip_diacritics(q)
    number = _ASKS_DOCUMENT_NUMBER.search(plain_q)
    if number:  # «ban hành theo QĐ số mấy?»: the number is the answer, of the kind asked
        return Fact("document number", subject=_NUMBER_CODES.get(number.group(1), ""))
    figure = _figure_pattern(plain_q if plain else q, plain)
    if figure:  # a deputy with its office is counted only in a sentence naming that office's deputies
        return Fact("figure", pattern=figure[0], subject=figure[1], people=figure[2],
                    named=figure[2] if len(figure[2].split()) > 2 else "")
    text, form = (plain_q, strip_diacritics) if plain else (q, str)
    person = re.search(form(_ASKS_PERSON), text)
    if person:  # "Chủ tịch … hiện nay là ai?": a name, in a sentence that names the office
        office = re.sub(form(_NOW_WORDS.pattern), "", _subject(person.group(1) or person.group(2) or "", form))
        if office:
            return Fact("person", subject=office, required=_starts(_OFFICE_WORDS, office, form))
    if _ASKS_WHO.search(text):
        return Fact("person", required=False)
    name = re.search(form(_ASKS_NAME), text)
    subject = [w for w in _subject(name.group(1), form).split() if w not in _FILLER_WORDS] if name else []
    if name:  # a document's title is written without quotes: for a text the name only picks the sentence
        return Fact("name", subject=" ".join(subject[:2]),
                    required=not _starts(_DOCUMENT_WORDS, " ".join(subject), form)) if subject else None
    if _ASKS_DOCUMENT.search(plain_q):  # "… thay thế văn bản nào?": a sentence citing a document by number
        return Fact("document", required=False)
    significance = re.search(form(_ASKS_SIGNIFICANCE), text) or re.search(form(_ASKS_SIGNIFICANCE_OF), text)
    if significance:  # what a thing means or brings: said in a sentence speaking of that thing, not of its words
        subject = re.sub(form(_NOW_WORDS.pattern), "", _subject(significance.group(1), form))
        subject = re.sub(form(_POINTING_WORDS), "", subject)
        if len(subject.split()) > 1:
            return Fact("significance", subject=subject, required=False)
    definition = re.search(form(_ASKS_DEFINITION), text)
    if definition:  # "Hương ước, quy ước là gì?": the sentence that says what it is ("Hương ước, quy ước là …")
        clauses = [c.strip() for c in re.split(r"[,;:]", re.sub(r"[“”\"]", " ", definition.group(1)))]
        while len(clauses) > 1 and _starts(_LEAD_WORDS, clauses[0] + " ", form):  # "Theo Luật, …"
            clauses.pop(0)
        subject = " ".join(" ".join(clauses).split())
        if subject:
            return Fact("definition", subject=subject, required=False)
    speech = re.search(form(_ASKS_SPEECH), text)
    speaker = _subject(speech.group(1), form) if speech else ""
    if speaker and not _starts(_DOCUMENT_WORDS, speaker, form):
        return Fact("speech", subject=speaker)
    return None


def _figures_text(sentence: str, question: str, plain: bool) -> str:
    """The sentence less what only names: its enumeration mark, references («khoản 6 Điều 15»), and a document
    it cites with the date it was signed («Pháp lệnh số 34/2007/PL-UBTVQH11 ngày 20 tháng 4 năm 2007») unless
    the question names that document («Chỉ thị 16/CT-TTg ban hành ngày nào?»)."""
    def cited(match: re.Match) -> str:
        return match.group(0) if names_document(question, match.group(1), "") else " "
    return _REFERENCE.sub(" ", fold(_CITED_DOCUMENT.sub(cited, _ENUMERATION.sub("", sentence))))


# "Thành phố Hồ Chí Minh", "trường Chu Văn An", "phố Lý Thường Kiệt": places named after people.
# ("Chủ tịch UBND tỉnh Nguyễn Văn A" is a person: an office comes before the name.)
_PLACE_WORDS = re.compile(r"(?:phố|tp\.?|đường|trường|cầu|chợ)$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    return frozenset(line.strip() for line in data_lines("surnames.txt"))


def person_names(text: str) -> list[str]:
    """Full names ('Đào Ngọc Dung'): a common surname and two or three capitalised syllables after it.

    Two-syllable runs are left out: 'Hà Nội' begins with a surname too.
    """
    words = text.split()
    names = []
    for i, word in enumerate(words):
        if word.strip("(,;:") not in _surnames() or (i and _PLACE_WORDS.match(words[i - 1])):
            continue
        run = [word.strip("(")]
        for following in words[i + 1:i + 4]:
            bare = following.rstrip(",.;:)")
            if not bare[:1].isupper() or bare.isupper() or not bare.isalpha():
                break
            run.append(bare)
            if bare != following:
                break
        if len(run) >= 3:
            names.append(" ".join(run))
    return names


def _words(text: str, plain: bool) -> str:
    return " ".join(strip_diacritics(w) if plain else w for w in syllables(text))


def _contains(haystack: str, needle: str, plain: bool) -> bool:
    return f" {_words(needle, plain)} " in f" {_words(haystack, plain)} "


def in_order_nearby(needle: list[str], haystack: list[str], gap: int) -> bool:
    """Does haystack hold needle's words in order, with at most gap other words between two of them? «Luật Thực
    hiện dân chủ ở cơ sở … chính sách pháp luật về dân chủ» does not hold «thực hiện pháp luật về dân chủ»: its
    words are there in order, but far apart."""
    reachable = [i for i, word in enumerate(haystack) if needle and word == needle[0]]
    for word in needle[1:]:
        reachable = [j for j, other in enumerate(haystack)
                     if other == word and any(i < j <= i + gap + 1 for i in reachable)]
    return bool(reachable) and bool(needle)


def _names_all(sentence: str, subject: str, plain: bool) -> bool:
    """Every word of the subject is in the sentence, an abbreviation or its long form ("UBND" or
    "Ủy ban nhân dân")."""
    present = set(_words(sentence, plain).split())
    for word in _words(subject, plain).split():
        long = expand_abbreviations(word.upper())
        if word not in present and not (long and set(_words(long[0], plain).split()) <= present):
            return False
    return True


def counted_as_people(fact: Fact, plain: bool = False) -> Fact | None:
    """The same count with «người» as its noun, when it counts people («mấy đại biểu» — «120 người tham dự»),
    and for a role within a body only in a sentence that names it («mấy phó trưởng ban» — «Số lượng Phó Trưởng
    ban … không quá 02 người»; «không ít hơn 05 người» counts the members): asked for when no sentence names
    the noun with its figure."""
    if fact.kind == "figure" and fact.people:
        role = fact.people.startswith(tuple(_words(r, plain) for r in _ROLES_IN_A_BODY))
        return replace(fact, subject=_words("người", plain), named=fact.people if role else "")
    return None


def holds(fact: Fact, sentence: str, question: str, plain: bool = False, context: str = "") -> bool:
    """Does the sentence state the kind of fact asked for (and not only repeat the question)? context: the
    titles the sentence sits under, whose document number answers «nghị định số mấy?» (61/2023/NĐ-CP)."""
    if fact.kind == "figure":
        text = _figures_text(sentence, question, plain)
        if fact.named and not _contains(text, fact.named, plain):
            return False
        pattern = fact.pattern
        if fact.subject:  # the counted noun, as the sentence writes it
            forms = {w for w in re.findall(r"\w+", text) if _words(w, plain) == fact.subject}
            if not forms:
                return False
            pattern += rf"(?:{'|'.join(map(re.escape, sorted(forms)))})\b"
        return re.search(pattern, text) is not None
    if fact.kind == "person":
        return (any(not _contains(question, name, plain) for name in person_names(sentence))
                and _names_all(sentence, fact.subject, plain))
    if fact.kind == "name":
        named = [q for q in _QUOTED.findall(sentence) if not _contains(question, q, plain)]
        first = fact.subject.split()[0] if fact.subject else ""
        heads = [fact.subject, *(fold(e) for e in expand_abbreviations(first.upper()))]
        return bool(named) and any(_contains(sentence, h, plain) for h in heads if h)
    if fact.kind == "document":
        return any(not _contains(question, number, plain) for number in DOC_NUMBER.findall(sentence))
    if fact.kind == "document number":
        return any(not _contains(question, number, plain) and fact.subject in strip_diacritics(number).upper()
                   for number in DOC_NUMBER.findall(f"{context} {sentence}"))
    if fact.kind == "definition":  # the sentence opens with the term, maybe with its pair: "1. Hương ước, quy ước là …"
        opening = fold(_ENUMERATION.sub("", sentence).lstrip())
        opening = strip_diacritics(opening) if plain else opening
        term = r"\W+".join(map(re.escape, _words(fact.subject, plain).split()))
        paired = rf"(?:\s*,\s*\w+(?:\s+\w+){{0,{_PAIRED_TERM_WORDS - 1}}})?"
        return re.match(rf"{term}{paired}\s+{_words('là', plain)}\b", opening) is not None
    if fact.kind == "significance":  # a law names it in the article's title: «Điều 4. … hương ước, quy ước»
        subject = _words(fact.subject, plain).split()
        return any(in_order_nearby(subject, _words(text, plain).split(), _SUBJECT_GAP_SYLLABLES)
                   for text in (sentence, innermost_title(context)))
    if fact.kind == "speech":
        return _SPEECH.search(fold(sentence)) is not None and _contains(sentence, fact.subject, plain)
    raise ValueError(f"unknown fact kind {fact.kind!r}")


# --- What a figure is said of ----------------------------------------------------------------

_FIGURE_ASKED = re.compile(r"\b(?:bao nhieu|may)\b([^,.;:?!]*)")
_PREDICATE_WORDS = 4  # of the question, after the counted noun
_NEAR_FIGURE_WORDS = 16  # of the sentence, from a figure: «trên 50% tổng số đại diện hộ gia đình trong … tán thành»


def figure_predicate(question: str) -> list[str]:
    """What the figure asked for is said of, accent-free: the words after the counted noun («cần bao nhiêu phần
    trăm hộ tán thành» -> trăm, hộ, tán, thành); [] when the question ends with its noun («bao nhiêu người?»)."""
    asked = _FIGURE_ASKED.search(plain_form(question) if not has_diacritics(question) else
                                 strip_diacritics(re.sub(r"\bmáy\b", " ", fold(question))))  # «bộ máy» asks nothing
    if asked is None:
        return []
    return [w for w in re.findall(r"\w+", asked.group(1))[1:] if w not in plain_question_words()][:_PREDICATE_WORDS]


def said_of_figure(fact: Fact, sentence: str, question: str, plain: bool, predicate: list[str]) -> int:
    """How many of the predicate's words follow one of the sentence's figures closely: «trên 50% … tán thành»
    answers «bao nhiêu phần trăm hộ tán thành», «10% … đồng thuận nhưng … Ban công tác Mặt trận … tán thành»
    does not."""
    text = _figures_text(sentence, question, plain)  # no enumeration mark or «khoản 2 Điều 10» counts
    best = 0
    for figure in re.finditer(fact.pattern, text):
        following = set(re.findall(r"\w+", plain_form(text[figure.start():]))[:_NEAR_FIGURE_WORDS])
        best = max(best, sum(w in following for w in predicate))
    return best

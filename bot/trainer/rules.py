"""Rule-based question writers: offline, deterministic, every answer cut from the document.

Each rule reads the lines of a document (legal structure from ``structure.parse_articles``) and
proposes open questions and multiple-choice questions with the verbatim spans they come from:

- ``quantity`` / ``date``: numbers, durations, shares and dates ("chậm nhất là 05 ngày làm việc"
  -> "… chậm nhất là bao nhiêu ngày làm việc …?"); MCQ distractors are other values of the same unit
  in the document (then nearby usual values);
- ``definition``: "X là …" in a "Giải thích từ ngữ" article or opening an article named X;
- ``article``: "Điều N. Title" -> "Điều nào … quy định về title?" and "Điều N … quy định về nội dung gì?";
- ``list``: a lead-in ending with ':' and its khoản/điểm ("… có trách nhiệm:", "Hồ sơ … bao gồm:",
  "… bằng một trong các hình thức sau:") -> responsibility / procedure / fact questions;
- ``actor``: "X có trách nhiệm / có thẩm quyền / chủ trì …" -> "Ai / Cơ quan nào …?" with other bodies
  of the document as distractors; "… do X quyết định" likewise;
- ``reference``: "… thực hiện theo Mẫu số 03 …" / "… theo quy định tại Điều 18 …" -> procedure questions.

Nothing here checks support: ``check.check_item`` does, with the shared citation verifier.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.documents.normalize import numbers, sentence_spans
from bot.trainer.text import fold, syllables
from bot.documents.structure import ARTICLE, CLAUSE, DOC_NUMBER, POINT, Article
from bot.trainer.items import QAItem, SourceRef, make_id
from bot.trainer.scope import DocView, in_spans
from bot.trainer.settings import TrainerSettings
from bot.trainer.text import capitalize, cut, fit, good_starts, jaccard, lower_first, mentions, overlap, sentence, trim

# --- Lines ----------------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*[-–•+*]\s+\S")


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    body: int  # where the text starts after a label ("1. ", "a) ", "- ")
    level: str  # heading | clause | point | bullet | text
    label: str
    article: Article | None

    @property
    def is_item(self) -> bool:
        return self.level in ("clause", "point", "bullet")


def _lines(view: DocView) -> list[Line]:
    from bot.documents.structure import split_lines

    out: list[Line] = []
    for raw in split_lines(view.text):
        if not raw.text.strip():
            continue
        article = view.article_at(raw.start)
        level, label, body = "text", "", raw.start + len(raw.text) - len(raw.text.lstrip())
        if article is not None and raw.start == article.start and ARTICLE.match(raw.text):
            level, label = "heading", article.number
        elif (m := CLAUSE.match(raw.text)) and view.legal:
            level, label, body = "clause", m.group(1), raw.start + m.end() - 1
        elif (m := POINT.match(raw.text)) and view.legal:
            level, label, body = "point", m.group(1), raw.start + m.end() - 1
        elif _BULLET.match(raw.text):
            level, body = "bullet", raw.start + _BULLET.match(raw.text).end() - 1
        out.append(Line(raw.start, raw.end, body, level, label, article))
    return out


# --- Quantities and dates ----------------------------------------------------------------------

_UNITS = ["ngày làm việc", "ngày", "tháng", "năm", "giờ", "tuần", "phút", "lần", "người", "thành viên", "đại diện",
          "đại biểu", "hộ gia đình", "hộ", "lớp", "đợt", "cuộc", "tỷ đồng", "triệu đồng", "nghìn đồng", "đồng"]
_NUM = r"\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?"
_QUANTITY = re.compile(
    rf"(?<![\w/.,-])(?P<num>{_NUM})(?P<spelled>\s*\([^()\d]{{1,30}}\))?"
    rf"(?:\s*(?P<pct>%)|\s+(?P<unit>{'|'.join(_UNITS)}|[^\W\d_]+))(?![\w/])")
_DATE = re.compile(r"(?P<lead>[Nn]gày\s+)?(?P<date>(?<![\w/])(?:\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?|"
                   r"\d{1,2}/\d{1,2}/\d{4}|(?<=[Nn]gày\s)\d{1,2}/\d{1,2})(?![\w/]))")
# Words before a number that make it a reference, not a quantity ("Điều 18", "Mẫu số 03", "năm 2023").
_REFERENCE_WORDS = {"điều", "khoản", "điểm", "số", "chương", "mục", "phần", "mẫu", "lục", "năm", "ngày", "tháng",
                    "quý", "khóa", "đoạn", "trang", "thứ", "lần", "đến", "và", "hoặc", "tiểu"}
_GENERIC_UNIT_STOP = {"và", "hoặc", "đến", "của", "tại", "theo", "trong", "điều", "khoản", "điểm", "năm", "tháng",
                      "ngày", "trở", "là", "thì", "nếu", "với", "từ", "về", "các", "những", "trên", "dưới", "có",
                      "được", "để", "do", "sau", "trước", "bằng", "cho", "mà", "này", "đó", "khi"}
# Words that qualify a quantity and belong to the answer ("chậm nhất là 05 ngày").
_QUALIFIER = re.compile(r"(?:(?:trong\s+)?thời\s+hạn\s+)?(?:chậm\s+nhất(?:\s+là|\s+sau)?|không\s+quá|không\s+ít\s+hơn|"
                        r"không\s+dưới|ít\s+nhất(?:\s+là)?|tối\s+đa|tối\s+thiểu|trong\s+vòng|trong\s+thời\s+hạn|"
                        r"trên|dưới|trước|sau|từ|hơn|gần|khoảng)\s*$", re.IGNORECASE)
# Usual values when a document holds too few of a unit (then the nearest are taken).
_USUAL = {"%": [10, 20, 25, 30, 40, 50, 60, 65, 70, 75, 80], "ngày làm việc": [1, 2, 3, 5, 7, 10, 15, 20, 30],
          "ngày": [2, 3, 5, 7, 10, 15, 20, 30, 45, 60, 90], "tháng": [1, 2, 3, 6, 9, 12, 18, 24],
          "năm": [1, 2, 3, 5, 10], "giờ": [2, 4, 8, 12, 24, 48, 72]}


def _value(num: str) -> float:
    return float(num.replace(".", "").replace(",", "."))


def _show(value: float, padded: bool) -> str:
    if value != int(value):
        return f"{value:g}".replace(".", ",")
    number = int(value)
    return f"{number:02d}" if padded and number < 10 else f"{number:,}".replace(",", ".")


@dataclass
class Quantity:
    start: int  # of the number
    end: int  # of the unit
    value: float
    unit: str  # '%' or the (matching form of the) unit
    padded: bool  # written with a leading zero ('05')

    def option(self, value: float | None = None) -> str:
        number = _show(self.value if value is None else value, self.padded)
        return f"{number}%" if self.unit == "%" else f"{number} {self.unit}"


def _word_before(text: str, pos: int) -> str:
    match = re.search(r"([^\W\d_]+)\W*$", text[max(0, pos - 30):pos])
    return fold(match.group(1)) if match else ""


def _word_at(text: str, start: int) -> str:
    """The (pyvi) word that starts at ``start``: 'mô hình' in '182 mô hình đăng ký'; one syllable without pyvi."""
    syllable = re.match(r"[^\W\d_]+", text[start:])
    one = syllable.group(0) if syllable else ""
    try:
        from pyvi import ViTokenizer
    except ImportError:  # pragma: no cover - pyvi is a dependency of the lexical index
        return one
    tokens = ViTokenizer.tokenize(text[start:start + 40]).split()
    word = tokens[0].replace("_", " ") if tokens else one
    return word if text.startswith(word, start) and word.startswith(one) else one


def quantities(text: str, start: int, end: int) -> list[Quantity]:
    dates = [(m.start("date"), m.end("date")) for m in _DATE.finditer(text, start, end)]
    found = []
    for m in _QUANTITY.finditer(text, start, end):
        if any(s <= m.start() < e for s, e in dates):
            continue
        unit = "%" if m.group("pct") else fold(m.group("unit"))
        if unit != "%" and unit not in _UNITS:
            if not m.group("unit")[0].islower() or unit in _GENERIC_UNIT_STOP or len(unit) < 2:
                continue
        value = _value(m.group("num"))
        if unit != "%" and unit not in _UNITS and 1900 <= value <= 2100:
            continue  # a year
        if _word_before(text, m.start()) in _REFERENCE_WORDS:
            continue
        stop = m.end()
        if unit != "%" and unit not in _UNITS:
            word = _word_at(text, m.start("unit"))
            unit, stop = fold(word), m.start("unit") + len(word)
        found.append(Quantity(m.start(), stop, value, unit, m.group("num").startswith("0") and len(m.group("num")) > 1))
    return found


@dataclass
class Date:
    start: int
    end: int
    day: int
    month: int
    year: int | None
    lead: bool  # 'ngày' written before it
    slashed: bool

    def option(self, day: int | None = None, month: int | None = None, year: int | None = None) -> str:
        day, month = day or self.day, month or self.month
        year = self.year if year is None else year
        if self.slashed:
            return f"ngày {day:02d}/{month:02d}/{year}" if year else f"ngày {day:02d}/{month:02d}"
        shown_month = f"{month:02d}" if month < 3 else str(month)  # as legal texts write them: 01, 02, 3 … 12
        return f"ngày {day:02d} tháng {shown_month}" + (f" năm {year}" if year else "")


def dates(text: str, start: int, end: int) -> list[Date]:
    out = []
    for m in _DATE.finditer(text, start, end):
        parts = [int(p) for p in re.findall(r"\d+", m.group("date"))]
        day, month, year = parts[0], parts[1], parts[2] if len(parts) > 2 else None
        if not (1 <= day <= 31 and 1 <= month <= 12) or re.match(r"\s+\d{1,2}:\d{2}", text[m.end():]):
            continue  # not a date, or a page's time stamp ('13/05/2024 10:45')
        out.append(Date(m.start("lead") if m.group("lead") else m.start("date"), m.end("date"), day, month, year,
                        bool(m.group("lead")), "/" in m.group("date")))
    return out


# --- Actors (bodies and offices) ------------------------------------------------------------------

_BODY = re.compile(
    r"(?:Chủ tịch |Thường trực |Ban Thường trực )?"
    r"(?:Ủy ban nhân dân|Hội đồng nhân dân|Ủy ban Mặt trận Tổ quốc Việt Nam)"
    r"(?: (?:các cấp|cấp (?:xã|huyện|tỉnh)))?|Trưởng ban công tác Mặt trận(?: ở cộng đồng dân cư| ở thôn, tổ dân phố)?|"
    r"Ban công tác Mặt trận(?: ở cộng đồng dân cư| ở thôn, tổ dân phố)?|Ban Thanh tra nhân dân|"
    r"Ban Giám sát đầu tư của cộng đồng|Trưởng thôn|Tổ trưởng tổ dân phố|Tổ soạn thảo(?: hương ước, quy ước)?|"
    r"Thủ tướng Chính phủ|Chính phủ|Bộ (?:Nội vụ|Tư pháp|Văn hóa, Thể thao và Du lịch|Tài chính|Công an|Quốc phòng|"
    r"Kế hoạch và Đầu tư|Thông tin và Truyền thông|Lao động - Thương binh và Xã hội)|"
    r"(?:Người đứng đầu|Thủ trưởng) cơ quan, đơn vị|Công đoàn cơ sở|Hội nghị cán bộ, công chức, viên chức")
_CONDITION_START = {"khi", "trường", "theo", "trong", "đối", "sau", "trước", "tùy", "căn", "để", "nếu", "ngoài", "tại",
                    "hằng", "định", "việc", "với", "căn", "bên", "trên", "chậm"}
_ACTOR_VERBS = [re.compile(r"\s(?P<verb>có trách nhiệm|chịu trách nhiệm|có nhiệm vụ)\s+(?=\S)"),
                re.compile(r"\s(?P<verb>chủ trì)(?=, phối hợp)"),
                re.compile(r"\s(?P<verb>có thẩm quyền)\s+(?=\S)")]


def actor_verb(text: str) -> re.Match[str] | None:
    """The duty verb of a clause: 'có trách nhiệm' before 'chủ trì, phối hợp' before 'có thẩm quyền'."""
    for pattern in _ACTOR_VERBS:
        match = pattern.search(text)
        if match:
            return match
    return None


def who(actor: str) -> str:
    """The question word for an actor: 'ai', 'cơ quan nào' or 'tổ chức nào'."""
    f = fold(actor)
    if f.startswith(("tổ trưởng", "trưởng", "chủ tịch", "người", "thủ trưởng", "thủ tướng", "hộ gia đình", "công dân",
                     "cán bộ", "công chức", "hòa giải viên", "già làng", "đội ngũ")):
        return "ai"
    if f.startswith(("ủy ban", "hội đồng", "bộ ", "chính phủ", "cơ quan", "các bộ", "các cơ quan", "tòa", "viện")):
        return "cơ quan nào"
    if f.startswith(("ban ", "tổ ", "mặt trận", "các tổ chức", "tổ chức", "đoàn", "hội ", "công đoàn", "cộng đồng")):
        return "tổ chức nào"
    return "ai"


# How a body, an office or a group of people starts ('Ban hành …' or 'Tổ chức thực hiện …' is an action).
_ACTOR_HEADS = ("ủy ban", "hội đồng", "hội ", "ban ", "bộ ", "chính phủ", "thủ tướng", "thủ trưởng", "trưởng", "phó",
                "tổ ", "chủ tịch", "cơ quan", "các cơ quan", "các bộ", "các tổ chức", "tổ chức", "hộ gia đình",
                "công dân",
                "người", "cán bộ", "công chức", "viên chức", "đội ngũ", "hòa giải viên", "già làng", "mặt trận",
                "cộng đồng", "doanh nghiệp", "đơn vị", "đoàn", "công đoàn", "nhân dân", "thường trực", "cấp ủy",
                "báo cáo viên", "tuyên truyền viên", "thành viên", "đại diện", "đảng", "chi bộ", "văn phòng", "sở ",
                "phòng ", "thanh tra", "kiểm toán", "tòa án", "viện kiểm sát")
_ACTION_HEADS = ("ban hành", "tổ chức thực hiện", "tổ chức các", "tổ chức việc", "tổ chức lấy", "tổ chức họp",
                 "chủ trì", "chủ động")


def _actor_ok(actor: str) -> bool:
    words = syllables(actor)
    f = " ".join(words) + " "
    return (2 <= len(words) <= 16 and actor[:1].isupper() and words[0] not in _CONDITION_START
            and not re.search(r"\d", actor) and f.startswith(_ACTOR_HEADS) and not f.startswith(_ACTION_HEADS))


def split_actor(text: str) -> tuple[str, str]:
    """'Theo sự điều hành của …, Tổ soạn thảo' -> ('Theo sự điều hành của …, ', 'Tổ soạn thảo'); ('', '') if none."""
    if _actor_ok(text) and fold(text.split()[0]) not in _CONDITION_START:
        return "", text
    cut_at = text.rfind(", ")
    while cut_at > 0:
        head, tail = text[:cut_at + 2], text[cut_at + 2:]
        if _actor_ok(tail):
            return head, tail
        cut_at = text.rfind(", ", 0, cut_at)
    return "", ""


# --- Lead-ins of lists ---------------------------------------------------------------------------

_DUTY_NOUNS = ("trách nhiệm|nhiệm vụ, quyền hạn|nhiệm vụ và quyền hạn|nhiệm vụ|quyền hạn|quyền và nghĩa vụ|quyền"
               "|nghĩa vụ")
_LEAD_FORMS: list[tuple[re.Pattern[str], str, str | None, str]] = [
    (re.compile(rf"\s+có\s+(?:các\s+|những\s+)?(?P<n>{_DUTY_NOUNS})(?:\s+(?:sau đây|sau|như sau))?\s*:$"),
     " có những {n} gì?", " có {n} nào sau đây?", "responsibility"),
    (re.compile(r"\s+(?:bao gồm|gồm)(?:\s+(?:các|những)\s+(?P<n>[^:;]{2,40}?))?(?:\s+(?:sau đây|sau|như sau))?\s*:$"),
     " bao gồm những {n}?", " bao gồm {n1} nào sau đây?", "fact"),
    (re.compile(r"\s+được thực hiện như sau\s*:$"), " được thực hiện như thế nào?", None, "procedure"),
    (re.compile(r"\s+quy định về\s*:$"), " quy định về những nội dung gì?", " quy định về nội dung nào sau đây?",
     "fact"),
    (re.compile(r"\s+áp dụng đối với\s*:$"), " áp dụng đối với những đối tượng nào?",
     " áp dụng đối với đối tượng nào sau đây?", "fact"),
    (re.compile(r"\s+(?:một hoặc một số|một trong các|một trong những|các|những)\s+(?P<n>[^:;,]{2,40}?)"
                r"\s+(?:sau đây|sau|như sau)\s*:$"), " những {n} nào?", " {n} nào sau đây?", "fact"),
]
_PROCEDURE_WORDS = ("trình tự", "thủ tục", "hồ sơ", "hình thức", "như sau", "các bước", "cách thức", "quy trình",
                    "soạn thảo", "lấy ý kiến", "thông qua", "tổ chức cuộc họp", "phát phiếu")


def lead_question(lead: str) -> tuple[str, str | None, str] | None:
    """'Ủy ban nhân dân cấp xã có trách nhiệm:' -> (open question, MCQ stem, type):
    ('Ủy ban … có những trách nhiệm gì?', 'Ủy ban … có trách nhiệm nào sau đây?', 'responsibility')."""
    if "từ ngữ" in fold(lead):
        return None
    for pattern, open_form, mcq_form, kind in _LEAD_FORMS:
        match = pattern.search(lead)
        if not match or match.start() < 3:
            continue
        noun = match.groupdict().get("n") or ""
        head = lead[:match.start()]
        opened = head + open_form.replace("{n}", noun if noun else "gì").replace("những gì nào", "những gì")
        if "{n}" in open_form and not noun and "bao gồm" in open_form:
            opened = head + " bao gồm những gì?"
        mcq = None
        if mcq_form:
            mcq = head + mcq_form.replace("{n1}", noun or "nội dung").replace("{n}", noun)
        if kind == "fact" and any(w in fold(lead) for w in _PROCEDURE_WORDS):
            kind = "procedure"
        return opened, mcq, kind
    return None


# --- References ------------------------------------------------------------------------------------

_REFERENCE = re.compile(r"^(?P<subj>.{6,160}?)\s+(?:được\s+)?thực hiện theo\s+(?P<ref>(?:Mẫu số|quy định tại)\s+[^;]+?)"
                        r"(?:\s+và quy định sau|\s+và các quy định sau)?\s*[.;:]?$")
_DECIDED_BY = re.compile(r"^(?P<subj>.{6,160}?)\s+do\s+(?P<actor>[^,;]{3,80}?)\s+"
                         r"(?P<verb>(?:bàn và |bàn, )?(?:thống nhất, )?quyết định)\s*[.;]?$")


# A photo caption or a dateline glued to a news sentence: "Ảnh: An Đăng/TTXVN) …", "ĐTO - …".
_CAPTION = re.compile(r"^(?:[^()]{0,60}Ảnh:[^)]{0,60}\)\s*|[A-ZĐ]{2,6}\s*[-–]\s+)")


# --- Statements (news and reports) ------------------------------------------------------------------

_STATEMENT = re.compile(r"^(?P<pre>[^:]{0,80}?,\s+)?(?P<speaker>[^,:;]{3,140}?)\s+(?:đã\s+)?"
                        r"(?P<verb>nhấn mạnh|khẳng định|"
                        r"cho biết|đề nghị|yêu cầu|chỉ rõ|lưu ý)(?:\s*[:,]\s*|\s+)(?P<content>\S.{30,})$", re.DOTALL)
_PERSON = re.compile(r"(?:\b(?:[A-ZĐÀ-Ỹ][^\W\d_]*)\s+){1,3}[A-ZĐÀ-Ỹ][^\W\d_]*$"  # a name: Lại Xuân Lâm
                     r"|^(?:[Đđ]ồng chí|[Ôô]ng|[Bb]à|[Cc]ác đại biểu)\b")


# --- The writer ------------------------------------------------------------------------------------


@dataclass
class _ListInfo:
    lead: tuple[int, int]  # lead-in sentence span
    items: list[tuple[int, int]]  # item body spans
    type: str
    open_question: str
    mcq_stem: str | None
    where: str


class RuleWriter:
    """Candidates for one document; pools of distractors are drawn from the whole document."""

    def __init__(self, view: DocView, cfg: TrainerSettings | None = None) -> None:
        self.view = view
        self.text = view.text
        self.cfg = cfg or TrainerSettings()
        self.lines = _lines(view)
        self._lists = self._find_lists()
        self._actors = self._find_actors()

    # --- helpers ------------------------------------------------------------------------------

    def source(self, s: int, e: int, unit: str = "span") -> SourceRef:
        s, e = trim(self.text, s, e)
        return SourceRef(self.view.doc.id, self.text[s:e], s, e, self.view.heading_at(s), self.view.page_at(s), unit)

    def quote(self, s: int, e: int, keep: tuple[int, int] | None = None, unit: str = "span") -> SourceRef:
        fs, fe = fit(self.text, s, e, self.cfg.quote_max_chars, keep)
        return self.source(fs, fe, unit)

    def ask(self, offset: int, body: str) -> str:
        """'Theo Điều 11 Nghị định 61/2023/NĐ-CP, <body>' for legal texts; the body alone for prose."""
        body = " ".join(body.split()).rstrip(" ,;:.")
        body = _CAPTION.sub("", body)
        body = body if body.endswith("?") else body + "?"
        where = self.view.where(offset)
        return f"Theo {where}, {lower_first(body)}" if where else capitalize(body)

    def item(self, kind: str, type_: str, difficulty: str, question: str, answer: str, sources: list[SourceRef],
             rule: str, options: list[str] | None = None, correct: int | None = None) -> QAItem:
        return QAItem(make_id(kind, self.view.doc.id, question), kind, type_, difficulty, question, answer, sources,
                      options or [], correct, origin="rule", rule=rule)

    def mcq(self, type_: str, difficulty: str, stem: str, answer: str, sources: list[SourceRef], rule: str,
            correct: str, distractors: Sequence[str]) -> QAItem | None:
        """An MCQ with the correct option placed by a seeded draw; None without 3 usable distractors."""
        correct = capitalize(cut(correct, self.cfg.option_max_chars))
        quotes = "\n".join(s.quote for s in sources)
        chosen: list[str] = []
        for d in distractors:
            d = capitalize(cut(d, self.cfg.option_max_chars))
            fd = fold(d)
            if not d or any(fold(c) == fd for c in [correct, *chosen]):
                continue
            if mentions(quotes, d) or any(mentions(d, c) or mentions(c, d) for c in [correct, *chosen]):
                continue
            chosen.append(d)
            if len(chosen) == 3:
                break
        if len(chosen) < 3:
            return None
        position = random.Random(f"{self.cfg.seed}:{stem}").randrange(4)
        options = chosen[:position] + [correct] + chosen[position:]
        return self.item("mcq", type_, difficulty, stem, answer, sources, rule, options, position)

    def _sentences(self, line: Line) -> list[tuple[int, int]]:
        return sentence_spans(self.text, line.body, line.end)

    @staticmethod
    def _clauses(text: str, s: int, e: int) -> list[tuple[int, int]]:
        """';'-separated parts of a sentence."""
        out, cursor = [], s
        for m in re.finditer(r";\s+", text[s:e]):
            out.append(trim(text, cursor, s + m.start()))
            cursor = s + m.end()
        out.append(trim(text, cursor, e))
        return [(a, b) for a, b in out if b > a]

    # --- all rules ----------------------------------------------------------------------------

    def candidates(self, spans: Sequence[tuple[int, int]], kind: str = "both") -> list[QAItem]:
        """Every question the rules can write inside the spans (unchecked, possibly near-duplicates)."""
        want_open, want_mcq = kind in ("open", "both"), kind in ("mcq", "both")
        out: list[QAItem] = []
        for rule in (self.quantity_items, self.date_items, self.definition_items, self.article_items,
                     self.list_items, self.actor_items, self.reference_items, self.statement_items):
            for item in rule(spans):
                if item is None:
                    continue
                if (item.kind == "open" and want_open) or (item.kind == "mcq" and want_mcq):
                    out.append(item)
        return out

    def _lines_in(self, spans: Sequence[tuple[int, int]]) -> Iterator[Line]:
        for line in self.lines:
            if line.level != "heading" and in_spans(spans, line.start, line.end):
                yield line

    def _clauses_in(self, spans: Sequence[tuple[int, int]]) -> Iterator[tuple[Line, int, int]]:
        """(line, clause start, clause end) for every clause of every sentence of the lines in the spans."""
        for line in self._lines_in(spans):
            for s, e in self._sentences(line):
                for cs, ce in self._clauses(self.text, s, e):
                    yield line, cs, ce

    # --- quantities ---------------------------------------------------------------------------

    def _fragment(self, line: Line, cs: int, ce: int) -> bool:
        """A lead-in ('…, Ủy ban nhân dân cấp xã:') or an item of an inline list ('… trong đó: 02 …; 100 …')."""
        if self.text[cs:ce].rstrip().endswith(":"):
            return True
        return self.text[line.body:cs].rstrip().endswith(";") and ":" in self.text[line.body:cs]

    def _question_window(self, cs: int, ce: int, ms: int, me: int, limit: int = 300) -> tuple[int, int]:
        """From the clause start (or a later 'thì' or comma) to the end of the comma-part after the match."""
        start = cs
        if me - start > limit - 40:
            later = [cs + m.end() for m in re.finditer(r"\s+thì\s+", self.text[cs:ms])] + good_starts(self.text, cs, ms)
            start = next((p for p in later if me - p <= limit - 40), ms)
        colon = self.text.find(":", me, ce)
        ce = colon if colon >= 0 else ce
        end = me
        for m in re.finditer(r",\s+|$", self.text[me:ce]):
            candidate = me + m.start()
            if candidate - start > limit and end > me:
                break
            end = candidate
        return start, max(end, me)

    def _answer_span(self, cs: int, ce: int, ms: int, me: int) -> tuple[int, int]:
        """The qualifier before the figure through its comma-part (and a following 'kể từ …' part)."""
        head = self.text[cs:ms]
        qualifier = _QUALIFIER.search(head)
        start = cs + qualifier.start() if qualifier else ms
        colon = self.text.find(":", me, ce)
        ce = colon if colon >= 0 else ce
        parts = list(re.finditer(r",\s+", self.text[me:ce]))
        end = me + parts[0].start() if parts else ce
        if parts and fold(self.text[end:end + 12]).lstrip(", ").startswith("kể từ"):
            end = me + parts[1].start() if len(parts) > 1 else ce
        return trim(self.text, start, end)

    def _enclosing_parentheses(self, cs: int, ce: int, ms: int, me: int) -> tuple[int, int] | None:
        """The '(…)' around a figure that holds nothing else: '(ngày 18 tháng 11)'."""
        before = self.text[cs:ms]
        opening = before.rfind("(")
        if opening < 0 or ")" in before[opening:] or before[opening + 1:].strip():
            return None
        closing = self.text.find(")", me, ce)
        if closing < 0 or self.text[me:closing].strip():
            return None
        return cs + opening, closing + 1

    def _figure_items(self, line: Line, cs: int, ce: int, ms: int, me: int, asked: str, rule: str,
                      correct: str, distractors: list[str], difficulty: str) -> Iterator[QAItem | None]:
        paren = self._enclosing_parentheses(cs, ce, ms, me)
        if paren:  # "Thời điểm: Ngày hội đại đoàn kết toàn dân tộc (ngày 18 tháng 11)" -> "… là ngày nào?"
            label = re.match(r"[^:()]{1,30}:\s+", self.text[cs:paren[0]])
            qs = cs + label.end() if label else cs
            body = self.text[qs:paren[0]].rstrip() + " là " + asked
            as_, ae = qs, paren[1]
        else:
            qs, qe = self._question_window(cs, ce, ms, me)
            body = self.text[qs:ms] + asked + self.text[me:qe]
            as_, ae = self._answer_span(cs, ce, ms, me)
        body = re.sub(r"\s+(?:trong đó|bao gồm|gồm)\s*$", "", re.sub(r"^\W+", "", body))
        if not body or len(syllables(body)) < 5 or len(body) > 320:
            return
        question = self.ask(cs, body)
        figure_numbers = set(numbers(self.text[ms:me]))
        if figure_numbers & set(numbers(body)):
            return  # the question would give the answer away
        src = self.quote(cs, ce, keep=(as_, ae) if ae - as_ <= self.cfg.quote_max_chars else (ms, me))
        answer_start, answer_end = max(as_, src.start), min(ae, src.end)
        answer = sentence(self.text[answer_start:answer_end])
        if src.end < ae:
            answer = answer.rstrip(".") + "…"
        yield self.item("open", "number", difficulty, question, answer, [src], rule)
        yield self.mcq("number", difficulty, question, answer, [src], rule, correct, distractors)

    def quantity_items(self, spans: Sequence[tuple[int, int]]) -> Iterator[QAItem | None]:
        pool: dict[str, list[float]] = {}
        for q in quantities(self.text, 0, len(self.text)):
            pool.setdefault(q.unit, [])
            if q.value not in pool[q.unit]:
                pool[q.unit].append(q.value)
        for line, cs, ce in self._clauses_in(spans):
            if self._fragment(line, cs, ce):
                continue
            for q in quantities(self.text, cs, ce):
                unit = self.text[q.end - len(q.unit):q.end]
                asked = "bao nhiêu phần trăm" if q.unit == "%" else f"bao nhiêu {unit}"
                others = sorted((v for v in pool.get(q.unit, []) if v != q.value),
                                key=lambda v: (abs(v - q.value), v))
                usual = sorted((v for v in _USUAL.get(q.unit, []) if v != q.value and v not in others),
                               key=lambda v: (abs(v - q.value), v))
                near = [v for v in (q.value + 1, q.value + 2, max(q.value - 1, 0), q.value * 2)
                        if v > 0 and v != q.value]
                values = list(dict.fromkeys([*others[:3], *usual, *near]))
                difficulty = "dễ" if ce - cs < 140 else "trung bình"
                yield from self._figure_items(line, cs, ce, q.start, q.end, asked, "quantity", q.option(),
                                              [q.option(v) for v in values], difficulty)

    def date_items(self, spans: Sequence[tuple[int, int]]) -> Iterator[QAItem | None]:
        pool = dates(self.text, 0, len(self.text))
        for line, cs, ce in self._clauses_in(spans):
            if self._fragment(line, cs, ce):
                continue
            for d in dates(self.text, cs, ce):
                if DOC_NUMBER.search(self.text[max(cs, d.start - 40):d.start]):
                    continue  # the date of a cited document ('Quyết định số 22/2018/QĐ-TTg ngày …'): trivia
                others = [d.option(o.day, o.month, o.year if d.year else None) for o in pool
                          if (o.day, o.month) != (d.day, d.month)]
                shifted = [d.option(day, d.month) for day in (1, 15, 30, 10, 20) if day != d.day]
                shifted += [d.option(d.day, (d.month % 12) + 1), d.option(d.day, ((d.month - 2) % 12) + 1)]
                yield from self._figure_items(line, cs, ce, d.start, d.end, "ngày nào", "date", d.option(),
                                              list(dict.fromkeys([*others, *shifted])), "khó")

    # --- definitions ----------------------------------------------------------------------------

    _DEFINES = re.compile(r"^(?P<term>[^.;:()]{2,90}?)\s+(?P<verb>được hiểu là|là|bao gồm)\s+(?P<def>\S.*)$", re.DOTALL)

    def _definitions(self) -> list[tuple[Line, str, tuple[int, int], tuple[int, int]]]:
        """(line, term, sentence span, definition span) for every definition of the document."""
        out = []
        first_lines: dict[int, Line] = {}
        for line in self.lines:
            if line.article is not None and line.level != "heading":
                first_lines.setdefault(line.article.start, line)
        for line in self.lines:
            art = line.article
            if art is None or line.level == "heading":
                continue
            glossary = "giải thích từ ngữ" in fold(art.title)
            first_body = first_lines.get(art.start) is line
            if not (glossary and line.level in ("clause", "point")) and not first_body:
                continue
            s, e = self._sentences(line)[0] if self._sentences(line) else (line.body, line.end)
            match = self._DEFINES.match(self.text[s:e])
            if not match:
                continue
            if match.group("verb") == "bao gồm" and not glossary:
                continue
            term = match.group("term").strip()
            if len(syllables(term)) > 12 or not term[:1].isupper():
                continue
            if not glossary and jaccard(term, art.title) < 0.6 and "được hiểu là" not in fold(self.text[s:e]):
                continue
            out.append((line, term, (s, e), (s + match.start("def"), e)))
        return out

    def definition_items(self, spans: Sequence[tuple[int, int]]) -> Iterator[QAItem | None]:
        found = self._definitions()
        for line, term, (s, e), (ds, de) in found:
            if not in_spans(spans, s, e):
                continue
            src = self.quote(s, e)
            answer = sentence(src.quote) if src.end >= e else src.quote.rstrip(" ,;") + "…"
            difficulty = "dễ" if e - s <= 160 else "trung bình"
            yield self.item("open", "definition", difficulty, self.ask(s, f"“{term}” được hiểu là gì"), answer, [src],
                            "definition")
            correct = self.text[ds:min(de, src.end)]
            others = [self.text[o_ds:o_de] for _, o_term, _, (o_ds, o_de) in found if o_term != term]
            others.sort(key=lambda d: abs(len(d) - len(correct)))
            yield self.mcq("definition", "trung bình", self.ask(s, f"“{term}” được hiểu là gì"), answer, [src],
                           "definition", capitalize(correct).rstrip(" .;,"),
                           [capitalize(o).rstrip(" .;,") for o in others])

    # --- articles --------------------------------------------------------------------------------

    def article_items(self, spans: Sequence[tuple[int, int]]) -> Iterator[QAItem | None]:
        articles = [a for a in self.view.articles if len(syllables(a.title)) >= 2]
        for art in articles:
            if not in_spans(spans, art.start, art.start + 1):
                continue
            head_end = self.text.find("\n", art.start)
            head_end = len(self.text) if head_end == -1 else head_end
            src = self.quote(art.start, head_end, unit="article")
            title = art.title.rstrip(" .")
            answer = sentence(src.quote)
            topic = lower_first(title)
            yield self.item("open", "fact", "dễ", f"Điều nào của {self.view.name} quy định về {topic}?", answer, [src],
                            "article")
            near = sorted((a for a in articles if a is not art and jaccard(a.title, art.title) < 0.5),
                          key=lambda a: abs(articles.index(a) - articles.index(art)))
            yield self.mcq("fact", "trung bình", f"Điều nào của {self.view.name} quy định về {topic}?", answer, [src],
                           "article_number", f"Điều {art.number}", [f"Điều {a.number}" for a in near])
            yield self.mcq("fact", "dễ", f"Điều {art.number} của {self.view.name} quy định về nội dung gì?", answer,
                           [src], "article_title", capitalize(title), [capitalize(a.title.rstrip(" .")) for a in near])

    # --- lists -------------------------------------------------------------------------------------

    def _find_lists(self) -> list[_ListInfo]:
        out: list[_ListInfo] = []
        for i, line in enumerate(self.lines):
            ends_with_colon = self.text[line.start:line.end].rstrip().endswith(":")
            if line.level in ("heading", "point", "bullet") or not ends_with_colon:
                continue
            sentences = self._sentences(line)
            if not sentences:
                continue
            ls, le = sentences[-1]
            formed = lead_question(self.text[ls:le].strip())
            if not formed:
                continue
            want = {"clause": ("point",), "text": ("clause", "point", "bullet")}.get(line.level, ())
            items: list[tuple[int, int]] = []
            level = None
            for nxt in self.lines[i + 1:]:
                if nxt.article is not line.article or not nxt.is_item:
                    break
                if level is None and nxt.level in want:
                    level = nxt.level
                if nxt.level == level:
                    items.append(trim(self.text, nxt.body, nxt.end))
                elif level == "clause" and nxt.level == "point":
                    continue  # the points of an item belong to it
                else:
                    break
            if len(items) < 2:
                continue
            open_question, mcq_stem, kind = formed
            out.append(_ListInfo((ls, le), items, kind, open_question, mcq_stem, self.view.where(ls)))
        return out

    def list_items(self, spans: Sequence[tuple[int, int]]) -> Iterator[QAItem | None]:
        for info in self._lists:
            ls, le = info.lead
            if not in_spans(spans, ls, le):
                continue
            lead = self.quote(ls, le, keep=(max(ls, le - 60), le))
            texts: list[str] = []
            sources = [lead]
            for s, e in info.items:
                src = self.quote(s, e)
                sources.append(src)
                texts.append(src.quote.rstrip(" .;,") + ("…" if src.end < trim(self.text, s, e)[1] else ""))
            difficulty = "khó" if len(info.items) >= 4 else "trung bình"
            if len(info.items) <= self.cfg.max_list_items:
                answer = sentence("; ".join(t.rstrip(".") for t in texts))
                question = self.ask(ls, info.open_question)
                yield self.item("open", info.type, difficulty, question, answer, sources, "list")
            if not info.mcq_stem:
                continue
            pick = random.Random(f"{self.cfg.seed}:{info.mcq_stem}").randrange(len(info.items))
            s, e = info.items[pick]
            src = self.quote(s, e)
            correct = src.quote.rstrip(" .;,")
            mine = [self.text[a:b] for a, b in info.items]
            others: list[tuple[int, int, str]] = []
            for other in self._lists:
                if other is info:
                    continue
                for a, b in other.items:
                    candidate = self.text[a:b].rstrip(" .;,")
                    if max(overlap(candidate, m) for m in mine) >= self.cfg.distractor_max_overlap:
                        continue
                    others.append((other.type != info.type, abs(len(candidate) - len(correct)), candidate))
            others.sort(key=lambda t: (t[0], t[1]))
            yield self.mcq(info.type, "trung bình", self.ask(ls, info.mcq_stem), sentence(correct), [lead, src], "list",
                           capitalize(correct), [capitalize(t[2]) for t in others])

    # --- actors ----------------------------------------------------------------------------------

    def _find_actors(self) -> list[str]:
        seen: dict[str, str] = {}
        for m in _BODY.finditer(self.text):
            seen.setdefault(fold(m.group(0)), m.group(0))
        for line in self.lines:
            if line.level == "heading":
                continue
            for s, e in self._sentences(line):
                verb = actor_verb(self.text[s:e])
                if verb:
                    _, actor = split_actor(self.text[s:s + verb.start()].strip())
                    if actor:
                        seen.setdefault(fold(actor), actor)
        return list(seen.values())

    def _actor_distractors(self, actor: str) -> list[str]:
        kind = who(actor)
        fa = fold(actor)
        out = [a for a in self._actors if fold(a) != fa]
        return sorted(out, key=lambda a: (who(a) != kind, abs(len(a) - len(actor))))

    def actor_items(self, spans: Sequence[tuple[int, int]]) -> Iterator[QAItem | None]:
        for _, cs, ce in self._clauses_in(spans):
            chunk = self.text[cs:ce]
            if chunk.rstrip().endswith(":"):
                continue
            verb = actor_verb(chunk)
            decided = _DECIDED_BY.match(chunk)
            if verb:
                pre, actor = split_actor(chunk[:verb.start()].strip())
                if not actor:
                    continue
                rest_start = cs + verb.end()
                qs, qe = self._question_window(rest_start, ce, rest_start, rest_start, limit=170)
                rest = self.text[rest_start:qe].rstrip(" ,;.")
                if len(syllables(rest)) < 3:
                    continue
                asking = who(actor)
                body = f"{pre}{asking} {verb.group('verb')} {rest}"
                actor_start = cs + chunk.index(actor, len(pre))
                src = self.quote(cs, ce, keep=(actor_start, qe))
                type_ = "responsibility"
            elif decided and _actor_ok(capitalize(decided.group("actor"))):
                actor = decided.group("actor")
                body = f"{decided.group('subj')} do ai {decided.group('verb')}"
                src = self.quote(cs, ce)
                type_ = "responsibility"
            else:
                continue
            question = self.ask(cs, body)
            answer = sentence(src.quote) if src.end >= ce else src.quote + "…"
            difficulty = "trung bình" if len(question) < 200 else "khó"
            yield self.item("open", type_, difficulty, question, answer, [src], "actor")
            yield self.mcq(type_, difficulty, question, answer, [src], "actor", capitalize(actor),
                           [capitalize(a) for a in self._actor_distractors(actor)])

    # --- references ------------------------------------------------------------------------------

    def reference_items(self, spans: Sequence[tuple[int, int]]) -> Iterator[QAItem | None]:
        refs: list[tuple[int, int, int, int, str, str]] = []  # sentence span, ref span, subject, kind
        for line in self.lines:
            if line.level == "heading":
                continue
            for s, e in self._sentences(line):
                match = _REFERENCE.match(self.text[s:e])
                if match and not match.group("subj").rstrip().endswith(","):
                    ref = match.group("ref")
                    kind = "mẫu nào" if ref.startswith("Mẫu số") else "quy định nào"
                    refs.append((s, e, s + match.start("ref"), s + match.end("ref"), match.group("subj"), kind))
        for s, e, rs, re_, subject, kind in refs:
            if not in_spans(spans, s, e):
                continue
            src = self.quote(s, e, keep=(rs, re_))
            answer = sentence(src.quote) if src.end >= e else src.quote + "…"
            question = self.ask(s, f"{subject} thực hiện theo {kind}")
            yield self.item("open", "procedure", "trung bình", question, answer, [src], "reference")
            correct = self.text[rs:min(re_, src.end)]
            others = [self.text[a:b] for _, _, a, b, _, k in refs
                      if k == kind and fold(self.text[a:b]) != fold(correct)]
            yield self.mcq("procedure", "khó", question, answer, [src], "reference", capitalize(correct),
                           [capitalize(o) for o in dict.fromkeys(others)])

    # --- statements ------------------------------------------------------------------------------

    def statement_items(self, spans: Sequence[tuple[int, int]]) -> Iterator[QAItem | None]:
        """'Phát biểu tại hội nghị, đồng chí X nhấn mạnh: …' -> '… đồng chí X nhấn mạnh điều gì?' (prose only)."""
        if self.view.legal:
            return
        for line in self._lines_in(spans):
            for s, e in self._sentences(line):
                match = _STATEMENT.match(self.text[s:e])
                if not match:
                    continue
                speaker = match.group("speaker").strip()
                if not _PERSON.search(speaker) or len(syllables(speaker)) > 24:
                    continue
                pre = match.group("pre") or ""
                content_start = s + match.start("content")
                src = self.quote(s, e, keep=(s + match.start("speaker"), min(e, content_start + 60)))
                said = self.text[max(content_start, src.start):src.end]
                if len(syllables(said)) < 6:
                    continue
                answer = sentence(said) if src.end >= trim(self.text, s, e)[1] else capitalize(said.rstrip(" ,;")) + "…"
                question = self.ask(s, f"{pre}{speaker} {match.group('verb')} điều gì")
                yield self.item("open", "fact", "trung bình", question, answer, [src], "statement")

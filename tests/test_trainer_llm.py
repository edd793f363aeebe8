"""Questions written by a (fake) chat model: reading replies, citing, the shared verifier's veto, rule fallback.

The model is LangChain's ``GenericFakeChatModel`` behind the 'llamacpp' backend (``llm.overrides``), as in
test_llm.py; no real model runs. Documents come straight from the tiny corpus (no index).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.outputs import ChatResult

from bot.answering import llm
from bot.answering.llm import Backend
from bot.answering.prompts import approx_tokens
from bot.documents.loaders import load_document
from bot.documents.model import Document
from bot.settings import Settings
from bot.trainer import generate_set
from bot.trainer.check import QUOTE_MAX
from bot.trainer.llm_generate import choose_backend, messages_for, parse_reply, quote_span, slots
from conftest import TINY_DECREE_61, TINY_NEWS

OPEN_REPLY = json.dumps({"cau_hoi": "Hương ước, quy ước do cơ quan nào công nhận?",
                         "dap_an": "Ủy ban nhân dân cấp xã công nhận.",
                         "trich_dan": "được Ủy ban nhân dân cấp xã  công nhận"}, ensure_ascii=False)  # other spacing
MCQ_REPLY = ("Dưới đây là câu hỏi:\n```json\n" + json.dumps({
    "cau_hoi": "Các quy tắc xử sự trong hương ước, quy ước do ai bàn và quyết định?",
    "dap_an": "Cộng đồng dân cư",
    "phuong_an_sai": ["Hội đồng nhân dân cấp xã", "Ủy ban nhân dân cấp huyện", "Ban công tác Mặt trận"],
    "trich_dan": "các quy tắc xử sự do cộng đồng dân cư bàn và quyết định"}, ensure_ascii=False)
    + "\n```\nChúc bạn ôn tập tốt!")
MALFORMED_REPLY = 'Câu hỏi: {"cau_hoi": "Hương ước là gì?", "dap_an": "Là văn bản quy định về các quy phạm'  # cut off
UNSUPPORTED_REPLY = json.dumps({"cau_hoi": "Hương ước, quy ước do ai ban hành?",
                                "dap_an": "Quốc hội ban hành hương ước hằng năm theo nhiệm kỳ.",
                                "trich_dan": "Hương ước do Quốc hội ban hành"}, ensure_ascii=False)


class Down(BaseChatModel):
    """A server that does not answer."""

    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "down"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        self.calls += 1
        raise ConnectionError("Connection refused")


@pytest.fixture(scope="module")
def docs(tiny_corpus) -> dict[str, Document]:
    return {name: load_document(tiny_corpus / name, tiny_corpus, 50) for name in (TINY_DECREE_61, TINY_NEWS)}


def settings_for(generator: str = "llm", backend: str = "llamacpp", **llm_changes) -> Settings:
    base = Settings()
    return base.model_copy(update={"answer": base.answer.model_copy(update={"backend": backend}),
                                   "trainer": base.trainer.model_copy(update={"generator": generator}),
                                   "llm": base.llm.model_copy(update=llm_changes)})


@pytest.fixture
def use_model(monkeypatch):
    """Put a chat model behind the 'llamacpp' backend; returns settings that write with it."""
    def install(model: BaseChatModel | list[str], generator: str = "llm") -> Settings:
        if isinstance(model, list):
            model = GenericFakeChatModel(messages=iter(model))
        monkeypatch.setitem(llm.overrides, "llamacpp", Backend("llamacpp", model, approx_tokens, timeout_s=30))
        return settings_for(generator)
    return install


def assert_cited(item, docs: dict[str, Document]) -> None:
    assert item.verified, (item.flags, item.question, item.answer)
    for source in item.sources:
        assert 0 < len(source.quote) <= QUOTE_MAX
        assert docs[source.doc].text[source.start:source.end] == source.quote
        assert source.heading


# --- Reading replies -------------------------------------------------------------------------------------------------

EXPECTED_OPEN = {"question": "Q là gì?", "answer": "Đáp án.", "quote": "Trích.", "distractors": []}


@pytest.mark.parametrize("reply, expected", [
    ('{"cau_hoi": "Q là gì?", "dap_an": "Đáp án.", "trich_dan": "Trích."}', EXPECTED_OPEN),
    ('{"question": "Q là gì?", "answer": "Đáp án.", "quote": "Trích."}', EXPECTED_OPEN),
    ('{"câu hỏi": "Q là gì?", "đáp án": "Đáp án.", "trích dẫn": "Trích."}', EXPECTED_OPEN),
    ('Đây là JSON:\n```json\n{"cau_hoi": "Q là gì?", "dap_an": "Đáp án.", "trich_dan": "Trích.",}\n```\nHết.',
     EXPECTED_OPEN),  # fence, chatter, trailing comma
    ('{“cau_hoi”: “Q là gì?”, “dap_an”: “Đáp án.”, “trich_dan”: “Trích.”}', EXPECTED_OPEN),  # curly quotes
    ('[{"cau_hoi": "Q là gì?", "dap_an": "Đáp án.", "trich_dan": "Trích."}]', EXPECTED_OPEN),
    ('{"ket_qua": {"cau_hoi": "Q là gì?", "dap_an": "Đáp án.", "trich_dan": "Trích."}}', EXPECTED_OPEN),  # nested
    ('{"cau_hoi": "Ai?", "dap_an": "X", "phuong_an_sai": ["Y", "Z", "W"]}',
     {"question": "Ai?", "answer": "X", "quote": "", "distractors": ["Y", "Z", "W"]}),
    ('{"cau_hoi": "Ai?", "phuong_an": ["A. Y", "B. X", "C. Z", "D. W"], "dap_an": "B"}',
     {"question": "Ai?", "answer": "X", "quote": "", "distractors": ["Y", "Z", "W"]}),
    ('{"question": "Ai?", "options": ["Y", "Ban X", "Z", "W"], "answer": "Ban X"}',  # 'Ban' is no letter 'B'
     {"question": "Ai?", "answer": "Ban X", "quote": "", "distractors": ["Y", "Z", "W"]}),
    ('{"question": "Ai?", "A": "Y", "B": "Z", "C": "X", "D": "W", "answer": "C."}',
     {"question": "Ai?", "answer": "X", "quote": "", "distractors": ["Y", "Z", "W"]}),
    ('{"cau_hoi": "Ai?", "dap_an": "X", "phuong_an_sai": "Y; Z; W"}',
     {"question": "Ai?", "answer": "X", "quote": "", "distractors": ["Y", "Z", "W"]}),
])
def test_parse_reply_reads_questions(reply: str, expected: dict) -> None:
    assert parse_reply(reply) == expected


@pytest.mark.parametrize("reply", [
    "", "Xin lỗi, tôi không thể soạn câu hỏi.", MALFORMED_REPLY, '{"cau_hoi": "Q?"}', '{"dap_an": "A"}',
    '{"cau_hoi": "", "dap_an": "A"}', "[1, 2, 3]", '{"cau_hoi": "Q?", "dap_an": ',
])
def test_parse_reply_refuses_replies_without_a_question(reply: str) -> None:
    assert parse_reply(reply) is None


@pytest.mark.parametrize("count, kind, expected", [
    (5, "both", ["open", "mcq", "open", "mcq", "open"]),
    (1, "both", ["open"]),
    (3, "mcq", ["mcq"] * 3),
    (2, "open", ["open"] * 2),
])
def test_slots(count: int, kind: str, expected: list[str]) -> None:
    assert slots(count, kind) == expected


def test_quote_span_cites_what_supports_the_answer(docs) -> None:
    text = docs[TINY_DECREE_61].text
    start = text.index("Điều 3. Mục đích")
    end = text.index("Điều 4.")
    answer = "Xây dựng nếp sống văn minh trong cộng đồng dân cư."
    # The model quoted the wrong sentence: the clause that states the answer is cited, without its '2. ' label.
    s, e = quote_span(text, start, end, "Phát huy vai trò tự quản của cộng đồng dân cư", answer)
    assert text[s:e] == "xây dựng nếp sống văn minh trong cộng đồng dân cư."
    # A verbatim quote typed with other spacing is found and kept.
    s, e = quote_span(text, start, end, "hạn chế và từng bước  loại bỏ phong tục, tập quán lạc hậu",
                      "Hạn chế và từng bước loại bỏ phong tục, tập quán lạc hậu.")
    assert text[s:e] == "hạn chế và từng bước loại bỏ phong tục, tập quán lạc hậu"
    s, e = quote_span(text, start, end, "", answer, limit=40)
    assert e - s <= 40


def test_prompt_holds_the_passage_as_data_and_a_json_example() -> None:
    messages = messages_for("mcq", "Nghị định 61/2023/NĐ-CP › Điều 2", "Hương ước, quy ước là văn bản …",
                            neighbour="Điều 3 …", avoid=["Câu đã hỏi?"])
    assert len(messages) == 4 and "JSON" in messages[0].content
    assert json.loads(messages[2].content)["phuong_an_sai"]
    last = messages[-1].content
    assert "Nghị định 61/2023/NĐ-CP › Điều 2" in last and "Hương ước, quy ước là văn bản" in last
    assert "Điều 3 …" in last and "- Câu đã hỏi?" in last and "phuong_an_sai" in last


# --- Which writer ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("generator, backend, model_present, uses_model, noted", [
    ("rules", "llamacpp", True, False, False),
    ("auto", "extractive", True, False, False),
    ("auto", "llamacpp", True, True, False),
    ("llm", "llamacpp", True, True, False),
    ("llm", "extractive", True, True, False),  # asked for the model: llamacpp although answers are extractive
    ("auto", "llamacpp", False, False, False),  # no model file: the rules, quietly
    ("llm", "llamacpp", False, False, True),  # no model file: the rules, saying why
])
def test_choose_backend(monkeypatch, tmp_path, generator, backend, model_present, uses_model, noted) -> None:
    if model_present:
        monkeypatch.setitem(llm.overrides, "llamacpp", Backend("llamacpp", GenericFakeChatModel(messages=iter([])),
                                                               approx_tokens))
    else:
        monkeypatch.delitem(llm.overrides, "llamacpp", raising=False)
    chosen, note = choose_backend(settings_for(generator, backend, model_dir=tmp_path / "no-model"))
    assert (chosen is not None) == uses_model
    assert bool(note) == noted
    if noted:
        assert note.startswith("Không dùng được mô hình ngôn ngữ") and "theo quy tắc" in note
    assert choose_backend(None) == (None, "")


def test_rules_generator_never_asks_the_model(docs, use_model) -> None:
    settings = use_model([], generator="rules")  # an empty script: any call would fail
    result = generate_set(docs, [TINY_DECREE_61], count=4, settings=settings)
    assert len(result.items) == 4 and result.report.generator == "rules"
    assert {i.origin for i in result.items} == {"rule"}


# --- Generation ------------------------------------------------------------------------------------------------------


def test_model_questions_are_cited_and_verified(docs, use_model) -> None:
    settings = use_model([OPEN_REPLY, MCQ_REPLY])
    seen = []
    result = generate_set(docs, [TINY_DECREE_61], scope=["Điều 2"], count=2, kind="both", settings=settings,
                          progress=lambda fraction, what: seen.append((fraction, what)))
    opened, mcq = result.items
    for item in result.items:
        assert_cited(item, docs)
        assert item.origin == "llm" and item.rule == "llm"
        assert item.question.startswith("Theo Điều 2 Nghị định 61/2023/NĐ-CP, ")
        assert item.sources[0].heading == "Nghị định 61/2023/NĐ-CP › Điều 2"
    assert opened.kind == "open" and opened.answer == "Ủy ban nhân dân cấp xã công nhận."
    assert opened.sources[0].quote == "được Ủy ban nhân dân cấp xã công nhận"  # the document's own spacing
    assert mcq.kind == "mcq" and mcq.correct_option == "Cộng đồng dân cư" and len(set(mcq.options)) == 4
    assert "do cộng đồng dân cư bàn và quyết định" in mcq.sources[0].quote
    report = result.report
    assert (report.generator, report.model_calls, report.unusable, report.dropped_by_verifier) == ("llm", 2, 0, 0)
    assert report.by_origin == {"llm": 2} and not result.flagged
    assert "mô hình ngôn ngữ được hỏi 2 lần" in report.summary_vi() and "dùng 2 câu của mô hình" in report.summary_vi()
    assert seen[0] == (0.0, "Mô hình đang soạn câu 1/2") and seen[-1] == (1.0, "Xong")


def test_malformed_and_unsupported_replies_fall_back_to_rules(docs, use_model) -> None:
    settings = use_model([MALFORMED_REPLY, UNSUPPORTED_REPLY])
    result = generate_set(docs, [TINY_DECREE_61], scope=["Điều 2"], count=2, kind="open", settings=settings)
    assert len(result.items) == 2
    for item in result.items:
        assert_cited(item, docs)
        assert item.origin == "rule" and "Quốc hội" not in item.answer
    # The unsupported answer was vetoed by the shared verifier, kept aside with its reason, never in the set.
    [vetoed] = result.flagged
    assert vetoed.origin == "llm" and "unsupported" in vetoed.flags and not vetoed.verified
    assert vetoed.answer.startswith("Quốc hội ban hành")
    report = result.report
    assert (report.model_calls, report.unusable, report.dropped_by_verifier) == (2, 1, 1)
    assert report.by_origin == {"rule": 2} and report.flag_counts.get("unsupported") == 1


def test_mcq_without_three_usable_distractors_is_replaced(docs, use_model) -> None:
    stated = json.dumps({"cau_hoi": "Hương ước, quy ước do ai công nhận?", "dap_an": "Ủy ban nhân dân cấp xã",
                         "phuong_an_sai": ["cộng đồng dân cư", "Hội đồng nhân dân cấp xã"]},  # one is in the quote
                        ensure_ascii=False)
    result = generate_set(docs, [TINY_DECREE_61], count=1, kind="mcq", scope=["Điều 2"], settings=use_model([stated]))
    [item] = result.items
    assert item.kind == "mcq" and item.origin == "rule" and result.report.unusable == 1


def test_a_server_that_does_not_answer_gives_rule_questions(docs, use_model) -> None:
    model = Down()
    result = generate_set(docs, [TINY_DECREE_61, TINY_NEWS], count=4, kind="open", settings=use_model(model))
    assert len(result.items) == 4 and {i.origin for i in result.items} == {"rule"}
    assert model.calls == result.report.model_calls == 2  # then the rules take every slot
    assert "không phản hồi" in result.report.note and result.report.note in result.report.summary_vi()


def test_empty_slots_are_filled_like_the_rules_fill_them(docs, use_model) -> None:
    """Few MCQ in scope: 'both' makes up the count with open questions, as the rule-based selection does."""
    rules = generate_set(docs, [TINY_DECREE_61], scope=["Điều 2", "Điều 3"], count=6, kind="both",
                         settings=settings_for("rules"))
    result = generate_set(docs, [TINY_DECREE_61], scope=["Điều 2", "Điều 3"], count=6, kind="both",
                          settings=use_model(["không có JSON"] * 6))
    assert result.report.unusable == 6 and {i.origin for i in result.items} == {"rule"}
    assert len(rules.items) <= len(result.items) <= 6 and len({i.id for i in result.items}) == len(result.items)
    mcq = [i for i in result.items if i.kind == "mcq"]
    assert len(mcq) == sum(i.kind == "mcq" for i in rules.items) < 3  # too few MCQ: open questions make up the count

"""Answering what was asked: the aspect or FAQ entry first, its source, at most five buttons."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from handlers import texts
from handlers.direct_answers import source_line
from knowledge.aspects import Aspect, AspectsError, detect_aspect, load_aspects
from storage.models import QuestionLog
from storage.models_feedback import Rating
from tests.conftest import Chat


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("khai sinh có mất phí không ạ", Aspect.FEE),
        ("khai sinh co mat phi khong", Aspect.FEE),
        ("lam can cuoc bn tien", Aspect.FEE),
        ("hộ chiếu cần giấy tờ gì", Aspect.DOCUMENTS),
        ("ho chieu can nhung gi", Aspect.DOCUMENTS),
        (
            "dk thuong tru can gi",
            Aspect.DOCUMENTS,
        ),  # the shortest way to ask, once a rented-house FAQ's answer
        ("chuyển khẩu về nhà chồng cần giấy gì", Aspect.DOCUMENTS),
        ("đăng ký kết hôn ở đâu", Aspect.WHERE),
        ("dk ket hon o dau lam", Aspect.WHERE),
        ("tạm trú mất bao lâu", Aspect.TIME),
        ("tam tru mat bao lau", Aspect.TIME),
        ("dì ruột có được đi đăng ký khai sinh cho cháu không", Aspect.WHO),
        ("làm khai sinh online được ko", Aspect.ONLINE),
        ("quá hạn khai sinh có bị phạt không", Aspect.DEADLINE),
        ("lý lịch tư pháp có giá trị bao lâu", Aspect.VALIDITY),
        ("mẫu tờ khai đăng ký kết hôn", Aspect.FORMS),
        ("nhận kết quả qua bưu điện được không", Aspect.RESULT),
        ("điều kiện hưởng trợ cấp xã hội", Aspect.ELIGIBILITY),
        # a story, then the question: the cue that ends last wins
        ("Tôi đi làm xa, tốn nhiều tiền đi lại. Cho hỏi đăng ký tạm trú mất bao lâu?", Aspect.TIME),
    ],
)
def test_the_asked_aspect_is_recognised(question: str, aspect: Aspect) -> None:
    assert detect_aspect(question) is aspect


def test_a_general_question_has_no_aspect() -> None:
    assert detect_aspect("thủ tục đăng ký kết hôn") is None
    assert detect_aspect("khai sinh") is None


def test_the_cue_file_is_validated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "aspects.yaml"
    bad.write_text("fee: [lệ phí]\nprice: [gia]\n", encoding="utf-8")
    with pytest.raises(AspectsError) as err:
        load_aspects(bad)
    assert "aspects.yaml: fee" in str(err.value) and "aspects.yaml: price" in str(err.value)


async def test_a_fee_question_is_answered_with_the_fee_and_its_source(fixture_app: App) -> None:
    chat = Chat(fixture_app)
    await chat.say("làm giấy khai sinh có mất phí không")
    topic = fixture_app.knowledge.kb.get("khai-sinh")
    assert chat.last[0].text.startswith(texts.ASPECT_FEE_NONE.format(name=topic.name))
    assert source_line(topic.fees[0].legal_basis, topic.source) in chat.last[0].text
    assert "r:a:khai-sinh.fee:1" in chat.actions  # the rating names the aspect answered
    async with fixture_app.db.session() as s:
        row = await s.scalar(select(QuestionLog))
    assert (row.topic_id, row.aspect, row.faq_id) == ("khai-sinh", "fee", None)


async def test_a_faq_entry_is_the_direct_answer(fixture_app: App) -> None:
    chat = Chat(fixture_app)
    await chat.say("ông bà đi đăng ký khai sinh cho cháu được không")
    topic = fixture_app.knowledge.kb.get("khai-sinh")
    entry = topic.faq[0]
    assert chat.last[0].text.startswith(entry.answer)
    assert source_line(entry.legal_basis, entry.source) in chat.last[0].text
    await chat.press("r:f:khai-sinh.ong-ba-lam-thay:0")
    async with fixture_app.db.session() as s:
        log = await s.scalar(select(QuestionLog))
        rating = await s.scalar(select(Rating))
    assert log.faq_id == "khai-sinh.ong-ba-lam-thay"
    assert (rating.target_kind, rating.target_id, rating.value) == ("faq", "khai-sinh.ong-ba-lam-thay", 0)


async def test_an_aspect_the_base_does_not_know_is_said_honestly(fixture_app: App) -> None:
    chat = Chat(fixture_app)
    await chat.say("giấy khai sinh có giá trị bao lâu")
    topic = fixture_app.knowledge.kb.get("khai-sinh")
    expected = texts.ASPECT_UNKNOWN.format(
        aspect=texts.ASPECT_LABELS["validity"], name=topic.name, agency=topic.agency.name
    )
    assert chat.last[0].text.startswith(expected)
    assert "r:t:khai-sinh:1" in chat.actions  # rated as the general card, not as a known answer


@pytest.mark.parametrize("channel", ["test", "telegram", "zalo_oa", "zalo_bot", "console"])
async def test_every_answer_keeps_to_five_buttons(fixture_app: App, channel: str) -> None:
    chat = Chat(fixture_app, channel=channel)
    for question in ("khai sinh", "khai sinh mất bao lâu", "tam tru o dau"):
        await chat.say(question)
        assert all(len(r.flat_buttons) <= 5 for r in chat.last)
    await chat.press("d:khai-sinh:more")
    assert chat.last[0].text == texts.MORE_PROMPT.format(name=fixture_app.knowledge.kb.get("khai-sinh").name)
    assert len(chat.last[0].flat_buttons) <= 5 and "m:home" in chat.actions
    await chat.press("d:khai-sinh:docs")
    assert len(chat.last[0].flat_buttons) <= 5 and "d:khai-sinh:more" in chat.actions


@pytest.mark.parametrize(
    "data",
    ["r:a:khai-sinh.price:1", "r:a:no-topic.fee:1", "r:f:khai-sinh.no-such-entry:1", "r:f:khai-sinh:1"],
)
async def test_forged_answer_ratings_are_refused(fixture_app: App, data: str) -> None:
    chat = Chat(fixture_app)
    await chat.say("/start")  # the first answer ends with the AI notice
    await chat.press(data)
    assert chat.last[0].text == texts.EXPIRED_BUTTON
    async with fixture_app.db.session() as s:
        assert await s.scalar(select(Rating)) is None


def test_a_fee_without_an_amount_says_where_to_look_as_the_card_does() -> None:
    """«Lệ phí đăng ký khai sinh quá hạn» has no amount in the base: not listed bare."""
    import datetime as dt

    from handlers.direct_answers import from_aspect
    from handlers.topic_text import fee_summary
    from knowledge.loader import load_knowledge

    topic = load_knowledge().get("khai-sinh")
    today = dt.date(2026, 12, 1)
    late = next(f for f in topic.fees if f.amount is None and f.valid_on(today))
    answer = from_aspect(topic, Aspect.FEE, today).text
    bare = texts.FEE_LINE_NOAMOUNT.format(fee=late.name)
    line = texts.ASPECT_FEE_LINE_UNKNOWN.format(line=bare, unknown=texts.TOPIC_FEE_UNKNOWN)
    assert line in answer.splitlines()
    assert bare not in answer.splitlines()
    # the card's own words for the same rule
    assert f"{late.name}: {texts.TOPIC_FEE_UNKNOWN}" in fee_summary(topic, today)


async def test_what_is_needed_for_a_procedure_gets_its_documents_not_an_faq_case(app: App) -> None:
    """«đăng ký thường trú cần gì» once matched the FAQ entry on a rented house by "đăng ký … cần gì"."""
    for question in ("dk thuong tru can gi", "đăng ký thường trú cần gì"):
        [answer, *_] = await Chat(app, user=question).say(question)
        assert answer.text.startswith(texts.ASPECT_DOCUMENTS_HEAD.format(name="Đăng ký thường trú"))

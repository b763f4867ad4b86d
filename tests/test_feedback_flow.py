# ruff: noqa: F811  (pytest fixtures imported from tests.feedback_support)
"""The complaint draft as a flow: fallbacks, the reply vocabulary at every prompt, the kept draft, codecs."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from handlers import texts
from handlers.complaint_actions import (
    AssignTo,
    CancelDraft,
    EditDraft,
    NextStep,
    PhoneChoice,
    PickCategory,
    RateComplaint,
    ResumeDraft,
    SendDraft,
    SetStatus,
    StartReply,
    TrackComplaint,
)
from handlers.complaint_draft import DRAFT_KEY, Step
from storage.models import ChatSession, User
from tests.conftest import Chat
from tests.feedback_support import (  # noqa: F401  (fixtures)
    citizen,
    complaints,
    fb_app,
    file_complaint,
    make_feedback_app,
    staff,
)

DESCRIPTION = "Cống thoát nước trước chợ bị tắc, nước thải tràn ra đường"
# every spelling people use, with and without diacritics
YES = [
    "đc",
    "dc",
    "được",
    "duoc",
    "ok",
    "oke",
    "uh",
    "ừ",
    "ừm",
    "um",
    "vâng",
    "vang",
    "dạ",
    "da",
    "Dạ vâng ạ",
]
DONE = ["rồi", "roi", "xong", "xong rồi", "tiếp tục"]
NO = ["ko", "k", "kh", "hok", "hông", "không", "khong"]
SKIP = ["bỏ qua", "bo qua", "không có"]
CANCEL = ["/huy", "hủy", "huy", "Hủy", "thôi", "thoi", "Thôi ạ", "hủy phản ánh"]


async def session_of(chat: Chat) -> tuple[str | None, dict[str, Any] | None]:
    """The active flow and the kept draft (as stored) of a chat's user."""
    async with chat.app.db.session() as db:
        user = await db.scalar(select(User).where(User.platform_id == chat.user))
        session = await db.get(ChatSession, user.id)
        return session.flow, (session.data.get("mem") or {}).get(DRAFT_KEY)


async def state_of(chat: Chat) -> str | None:
    _, draft = await session_of(chat)
    return None if draft is None else draft["state"]


async def to_step(chat: Chat, step: Step) -> None:
    """Fill the draft up to `step`."""
    await chat.say("/phananh")
    if step is Step.CATEGORY:
        return
    await chat.press(PickCategory("ha-tang").pack())
    if step is Step.DESCRIPTION:
        return
    await chat.say(DESCRIPTION)
    if step is Step.MEDIA:
        return
    await chat.press(NextStep().pack())
    if step is Step.PHONE_PERMISSION:
        return
    if step is Step.PHONE:
        await chat.press(PhoneChoice("yes").pack())
        return
    await chat.press(PhoneChoice("no").pack())


# ---------------------------------------------------------------- cancelling
@pytest.mark.parametrize("step", list(Step))
async def test_huy_and_cancel_words_cancel_the_draft_at_every_step(fb_app: App, step: Step) -> None:
    for n, word in enumerate(CANCEL):
        chat = Chat(fb_app, user=f"c-{step}-{n}")
        await to_step(chat, step)
        assert await state_of(chat) == step.value
        await chat.say(word)
        assert chat.last[0].text == texts.PA_CANCELLED, word
        assert await session_of(chat) == (None, None), word
    assert await complaints(fb_app) == []


async def test_cancel_reaches_the_draft_even_after_another_command(fb_app: App, citizen: Chat) -> None:
    """/huy is also the unsubscribe command: inside the draft it cancels the draft, not subscriptions."""
    await to_step(citizen, Step.MEDIA)
    await citizen.say("/huy")
    assert citizen.last[0].text == texts.PA_CANCELLED
    await citizen.say("/huy")  # no draft any more: the global command answers
    assert citizen.last[0].text != texts.PA_CANCELLED


async def test_cancel_button_of_an_old_message_after_menu(fb_app: App, citizen: Chat) -> None:
    await to_step(citizen, Step.MEDIA)
    await citizen.say("/menu")
    await citizen.press(CancelDraft().pack())  # the «Hủy» under the media question
    assert citizen.last[0].text == texts.PA_CANCELLED
    assert await session_of(citizen) == (None, None)


# ---------------------------------------------------------------- the draft is kept
async def test_draft_survives_menu_start_other_flows_and_days(tmp_path) -> None:
    app, clock = await make_feedback_app(tmp_path)
    try:
        chat = Chat(app, user="c1")
        await to_step(chat, Step.MEDIA)
        await chat.say("/menu")
        assert chat.last[0].text == texts.PA_DRAFT_KEPT and len(chat.last) > 1  # then the menu
        flow, draft = await session_of(chat)
        assert flow is None and draft["state"] == Step.MEDIA.value
        assert draft["data"]["description"] == DESCRIPTION and draft["data"]["category"] == "ha-tang"
        await chat.say("/start")
        await chat.say("/dangky")  # another flow takes the session's slot
        assert (await session_of(chat))[0] == "subscribe"
        await chat.say("thôi")  # cancels the subscription chooser, not the draft
        assert (await state_of(chat)) == Step.MEDIA.value
        clock.advance(days=5)
        await chat.say("/phananh")
        assert chat.last[0].text == texts.PA_RESUME.format(preview=DESCRIPTION)
        await chat.press(ResumeDraft().pack())
        assert chat.last[0].text == texts.PA_ASK_MEDIA.format(max_photos=5)
        assert (await session_of(chat))[0] == "complaint"
    finally:
        await app.close()


async def test_menu_item_and_wish_offer_the_kept_draft(fb_app: App, citizen: Chat) -> None:
    await to_step(citizen, Step.MEDIA)
    await citizen.say("/start")
    await citizen.press("m:complaint")
    assert citizen.last[0].text == texts.PA_RESUME.format(preview=DESCRIPTION)


@pytest.mark.parametrize("word", YES + DONE)
async def test_yes_at_the_resume_offer_continues(fb_app: App, citizen: Chat, word: str) -> None:
    await to_step(citizen, Step.PHONE_PERMISSION)
    await citizen.say("/menu")
    await citizen.say("/phananh")
    await citizen.say(word)
    assert citizen.last[0].text == texts.PA_ASK_PHONE_PERMISSION
    assert await state_of(citizen) == Step.PHONE_PERMISSION.value


async def test_no_at_the_resume_offer_starts_again_with_what_was_written(fb_app: App) -> None:
    for n, word in enumerate(NO):
        chat = Chat(fb_app, user=f"c{n}")
        await to_step(chat, Step.MEDIA)
        await chat.say("/menu")
        await chat.say("tôi muốn phản ánh đèn đường ngõ 5 bị hỏng cả tuần nay")
        assert chat.last[0].text.startswith(texts.PA_RESUME.split("«")[0])
        await chat.say(word)
        _, draft = await session_of(chat)
        assert draft["state"] == Step.CATEGORY.value, word
        assert "đèn đường ngõ 5" in draft["data"]["description"], word


async def test_a_draft_of_the_previous_release_is_read(fb_app: App, citizen: Chat) -> None:
    await citizen.say("/start")
    old = {"step": "media", "cat": "an-ninh", "desc": DESCRIPTION, "photos": ["p1"], "lat": None,
           "lon": None, "phone": None, "editing": False}  # fmt: skip
    async with fb_app.db.session() as db:
        user = await db.scalar(select(User).where(User.platform_id == citizen.user))
        session = await db.get(ChatSession, user.id)
        session.data = {**session.data, "mem": {DRAFT_KEY: old}}
        session.flow = "complaint"
        await db.commit()
    await citizen.say("xong")
    assert citizen.last[0].text == texts.PA_ASK_PHONE_PERMISSION
    _, draft = await session_of(citizen)
    assert draft["state"] == Step.PHONE_PERMISSION.value and draft["data"]["photos"] == ["p1"]


# ---------------------------------------------------------------- the vocabulary at each prompt
async def test_done_yes_no_skip_at_the_media_prompt_go_on(fb_app: App) -> None:
    for n, word in enumerate(DONE + YES + NO + SKIP):
        chat = Chat(fb_app, user=f"c{n}")
        await to_step(chat, Step.MEDIA)
        await chat.say(word)
        assert chat.last[0].text == texts.PA_ASK_PHONE_PERMISSION, word
        _, draft = await session_of(chat)
        assert draft["data"]["description"] == DESCRIPTION, word  # the word was not added to it


async def test_other_answer_words_at_the_media_prompt_are_not_stored(fb_app: App, citizen: Chat) -> None:
    await to_step(citizen, Step.MEDIA)
    await citizen.say("quay lại")
    assert citizen.last[0].text == texts.PA_USE_BUTTONS
    await citizen.say("Nước bẩn chảy vào cả sân nhà dân")
    assert citizen.last[0].text == texts.PA_TEXT_ADDED
    _, draft = await session_of(citizen)
    assert draft["data"]["description"] == DESCRIPTION + "\nNước bẩn chảy vào cả sân nhà dân"


async def test_yes_at_the_phone_permission_asks_for_the_number(fb_app: App) -> None:
    for n, word in enumerate(YES + DONE):
        chat = Chat(fb_app, user=f"c{n}")
        await to_step(chat, Step.PHONE_PERMISSION)
        await chat.say(word)
        assert chat.last[0].text == texts.PA_ASK_PHONE and chat.last[0].request_contact, word
        assert await state_of(chat) == Step.PHONE.value, word


async def test_no_or_skip_at_the_phone_permission_goes_on_without_a_number(fb_app: App) -> None:
    for n, word in enumerate(NO + SKIP):
        chat = Chat(fb_app, user=f"c{n}")
        await to_step(chat, Step.PHONE_PERMISSION)
        await chat.say(word)
        assert chat.last[0].text == texts.PA_PHONE_SKIPPED, word
        _, draft = await session_of(chat)
        assert draft["state"] == Step.CONFIRM.value and draft["data"]["phone"] is None, word


async def test_a_number_typed_at_the_permission_is_taken(fb_app: App, citizen: Chat) -> None:
    await to_step(citizen, Step.PHONE_PERMISSION)
    await citizen.say("0912 345 678")
    assert citizen.last[0].text == texts.PA_PHONE_SAVED
    _, draft = await session_of(citizen)
    assert draft["data"]["phone"] == "0912345678"


async def test_no_or_skip_at_the_phone_number_prompt_goes_on_without_one(fb_app: App) -> None:
    for n, word in enumerate(NO + SKIP):
        chat = Chat(fb_app, user=f"c{n}")
        await to_step(chat, Step.PHONE)
        await chat.say(word)
        assert chat.last[0].text == texts.PA_PHONE_SKIPPED, word
        assert await state_of(chat) == Step.CONFIRM.value, word


async def test_yes_at_the_phone_number_prompt_is_not_a_number(fb_app: App) -> None:
    for n, word in enumerate(YES):
        chat = Chat(fb_app, user=f"c{n}")
        await to_step(chat, Step.PHONE)
        await chat.say(word)
        assert chat.last[0].text == texts.PA_PHONE_INVALID, word
        assert await state_of(chat) == Step.PHONE.value, word


async def test_yes_at_the_summary_sends(fb_app: App) -> None:
    for n, word in enumerate(YES + DONE):
        chat = Chat(fb_app, user=f"c{n}")
        await to_step(chat, Step.CONFIRM)
        await chat.say(word)
        assert await session_of(chat) == (None, None), word
    sent = await complaints(fb_app)
    assert len(sent) == len(YES + DONE) and all(c.description == DESCRIPTION for c in sent)


async def test_no_at_the_summary_offers_to_change_it(fb_app: App) -> None:
    for n, word in enumerate(NO):
        chat = Chat(fb_app, user=f"c{n}")
        await to_step(chat, Step.CONFIRM)
        await chat.say(word)
        assert chat.last[0].text == texts.PA_ASK_EDIT, word
        assert EditDraft("desc").pack() in chat.actions, word
    assert await complaints(fb_app) == []


async def test_other_text_at_the_summary_changes_nothing(fb_app: App, citizen: Chat) -> None:
    await to_step(citizen, Step.CONFIRM)
    await citizen.say("Thêm: nước tràn cả vào sân trường")
    assert citizen.last[0].text == texts.PA_USE_BUTTONS
    _, draft = await session_of(citizen)
    assert draft["data"]["description"] == DESCRIPTION and await complaints(fb_app) == []


async def test_answer_words_are_not_a_description(fb_app: App, citizen: Chat) -> None:
    await to_step(citizen, Step.DESCRIPTION)
    await citizen.say("xong rồi ạ nhé")
    assert citizen.last[0].text == texts.PA_DESCRIPTION_SHORT
    assert await state_of(citizen) == Step.DESCRIPTION.value


# ---------------------------------------------------------------- reopening and the staff reply
async def _answered(fb_app: App, citizen: Chat, staff: Chat) -> str:
    code = await file_complaint(citizen)
    await staff.press(StartReply(code).pack())
    await staff.say("Đã xử lý xong.")
    return code


async def test_reason_prompt_cancel_words_keep_the_complaint_as_it_is(
    fb_app: App, citizen: Chat, staff: Chat
) -> None:
    code = await _answered(fb_app, citizen, staff)
    for word in CANCEL:
        await citizen.press(RateComplaint(code, False).pack())
        assert citizen.last[0].text == texts.PA_ASK_REASON
        await citizen.say(word)
        assert citizen.last[0].text == texts.PA_REOPEN_CANCELLED.format(code=code), word
        assert (await session_of(citizen))[0] is None
    assert (await complaints(fb_app))[0].status == "answered"


async def test_reason_prompt_no_means_no_reason(fb_app: App, citizen: Chat, staff: Chat) -> None:
    code = await _answered(fb_app, citizen, staff)
    await citizen.press(RateComplaint(code, False).pack())
    await citizen.say("ok")  # not a reason: asked again
    assert citizen.last[0].text == texts.PA_ASK_REASON
    await citizen.say("không")
    c = (await complaints(fb_app))[0]
    assert c.status == "reopened"
    assert citizen.last[0].text.startswith(texts.PA_REOPENED.split("{")[0])


async def test_staff_reply_prompt_cancel_words(fb_app: App, citizen: Chat, staff: Chat) -> None:
    code = await file_complaint(citizen)
    for word in ["/huy", "thôi", "Hủy", "thoi"]:
        await staff.press(StartReply(code).pack())
        await staff.say(word)
        assert staff.last[0].text == texts.CS_CANCELLED, word
        assert (await session_of(staff))[0] is None
    c = (await complaints(fb_app))[0]
    assert c.status == "received" and c.answer is None


# ---------------------------------------------------------------- buttons
def test_old_button_strings_still_unpack() -> None:
    assert PickCategory.unpack("pa:cat:ha-tang") == PickCategory("ha-tang")
    assert RateComplaint.unpack("pa:rate:PA-2026-000001:0") == RateComplaint("PA-2026-000001", False)
    assert AssignTo.unpack("cs:to:PA-2026-000001:test:staff2") == AssignTo("PA-2026-000001", "test", "staff2")
    assert AssignTo("PA-2026-000001", "test", "staff2").staff_key == "test:staff2"
    assert EditDraft.unpack("pa:edit") == EditDraft() and EditDraft().pack() == "pa:edit"
    assert SetStatus.unpack("cs:set:PA-2026-000001:closed") == SetStatus("PA-2026-000001", "closed")
    assert TrackComplaint("PA-2026-000001").pack() == "pa:track:PA-2026-000001"
    assert SendDraft().pack() == "pa:send"


@pytest.mark.parametrize(
    "data",
    [
        "pa:cat:nuoc",  # not a category
        "pa:cat",
        "pa:rate:PA-2026-000001:2",
        "pa:rate:PA-2026-000001",
        "pa:phone:maybe",
        "pa:edit:everything",
        "pa:track:PA 2026",
        "pa:send:now",
        "cs:set:PA-2026-000001:reopened",  # not a status staff may set by button
        "cs:to:PA-2026-000001:test",
        "cs:open",
        "pa:whatever",
    ],
)
async def test_forged_buttons_are_refused_before_any_state(fb_app: App, citizen: Chat, data: str) -> None:
    assert fb_app.services.router.resolve(data) is None
    await to_step(citizen, Step.MEDIA)
    await citizen.press(data)
    assert citizen.last[0].text == texts.EXPIRED_BUTTON
    assert await state_of(citizen) == Step.MEDIA.value

"""Citizens looking up a dossier: by code in a sentence or /hoso, the ownership check, «Theo dõi»."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from handlers import texts
from handlers.dossier_view import PAYMENT_WALKTHROUGH, RESULT_WALKTHROUGH
from handlers.dossiers import MAX_ATTEMPTS, CheckOwner, Follow
from handlers.guide_actions import StartWalkthrough
from storage.models_dossiers import DossierFollower
from storage.models_privacy import ConsentRecord
from tests.conftest import Chat
from tests.dossier_support import CODE, OTHER_CODE, feed, later


async def test_code_inside_a_sentence_shows_only_the_state_before_the_check(app: App, chat: Chat) -> None:
    await feed(app, note="Bản sao giấy chứng nhận kết hôn", state="supplement_requested")
    await chat.say(f"cho em hỏi hồ sơ {CODE.lower()} của em đến đâu rồi ạ")
    assert texts.DS_STATE["supplement_requested"] in chat.text
    assert CODE in chat.text  # found in the sentence, lower case, and shown canonical
    assert "giấy chứng nhận kết hôn" not in chat.text and "đăng ký khai sinh" not in chat.text
    assert texts.DS_CHECK_OFFER in chat.text
    assert chat.labels == [texts.DS_BTN_CHECK]  # no «Theo dõi» before the check


async def test_the_check_shows_details_next_step_and_the_right_walkthroughs(app: App, chat: Chat) -> None:
    await feed(app, note="Bản sao giấy chứng nhận kết hôn", state="supplement_requested")
    await chat.say(f"/hoso {CODE}")
    await chat.tap(texts.DS_BTN_CHECK)
    assert chat.text == texts.DS_CHECK_ASK.format(code=CODE)
    await chat.say("5678")
    assert texts.DS_CHECK_OK in chat.text
    assert texts.DS_NOTE_SUPPLEMENT.format(note="Bản sao giấy chứng nhận kết hôn") in chat.text
    assert texts.DS_DUE.format(due="20/12/2026") in chat.text
    assert texts.DS_NEXT["supplement_requested"] in chat.text
    assert StartWalkthrough(RESULT_WALKTHROUGH).pack() in chat.actions
    assert "d:khai-sinh:docs" in chat.actions  # the procedure's documents, from its national code
    await feed(app, state="payment_requested", time=later(1))
    await chat.say(f"/hoso {CODE}")  # verified once: the details stay open
    assert texts.DS_NEXT["payment_requested"] in chat.text
    assert StartWalkthrough(PAYMENT_WALKTHROUGH).pack() in chat.actions
    await chat.tap(texts.DS_BTN_PAYMENT_GUIDE)
    assert "thanh toán" in chat.text.lower()  # the payment walkthrough's first step


async def test_wrong_digits_are_limited_then_locked(app: App, chat: Chat) -> None:
    await feed(app)
    await chat.say(CODE)
    await chat.tap(texts.DS_BTN_CHECK)
    for left in range(MAX_ATTEMPTS - 1, 0, -1):
        await chat.say("0000")
        assert chat.text == texts.DS_CHECK_WRONG.format(left=left)
    await chat.say("0000")
    assert "tạm khóa" in chat.text
    await chat.say(CODE)
    await chat.tap(texts.DS_BTN_CHECK)
    assert "tạm khóa" in chat.text  # even the right digits are not asked for now
    await chat.say("5678")
    assert texts.DS_PROCEDURE.format(name="Thủ tục đăng ký khai sinh") not in chat.text


async def test_typing_something_else_leaves_the_check(app: App, chat: Chat) -> None:
    await feed(app)
    await chat.say(CODE)
    await chat.tap(texts.DS_BTN_CHECK)
    await chat.say("abc")
    assert chat.text == texts.DS_CHECK_FORMAT
    await chat.say("thủ tục đăng ký khai sinh cần giấy tờ gì")
    assert "khai sinh" in chat.text.lower() and texts.DS_CHECK_FORMAT not in chat.text
    await chat.say("hủy")
    assert texts.DS_CHECK_CANCELLED not in chat.text  # the check had already ended


async def test_unknown_code_is_answered_honestly(app: App, chat: Chat) -> None:
    await chat.say(f"hồ sơ {OTHER_CODE} sao rồi")
    loc = app.knowledge.kb.locality
    assert chat.last[0].text.startswith(
        texts.DS_UNKNOWN.format(
            code=OTHER_CODE, portal=loc.provincial_portal, office=loc.office_name, hotline=loc.hotline
        )
    )
    assert [link.url for link in chat.last[0].links] == [loc.national_portal]
    await chat.say("/hoso abc")
    assert chat.text == texts.DS_BAD_CODE.format(text="abc", ask=texts.DS_ASK_CODE)
    await chat.say("/hoso")
    assert chat.text == texts.DS_ASK_CODE


async def test_a_dossier_without_phone_shows_its_state_only_and_can_be_followed(app: App, chat: Chat) -> None:
    await feed(app, citizen_phone=None, note="Thiếu tờ khai")
    await chat.say(CODE)
    assert texts.DS_NO_DETAILS in chat.text and "Thiếu tờ khai" not in chat.text
    await chat.tap(texts.DS_BTN_FOLLOW)
    assert chat.text.startswith(texts.DS_FOLLOWING.format(code=CODE)[:30])
    async with app.db.session() as db:
        row = await db.scalar(select(DossierFollower))
    assert row is not None and row.verified is False


async def test_following_needs_the_check_and_unfollow_works(app: App, chat: Chat) -> None:
    await feed(app)
    async with app.db.session() as db:
        from storage.dossiers import by_code

        dossier = await by_code(db, CODE)
    assert dossier is not None
    await chat.say("xin chào")
    await chat.press(Follow(dossier.id).pack())  # a forged or old «Theo dõi» before the check
    assert chat.text == texts.DS_FOLLOW_NEEDS_CHECK
    assert chat.actions == [CheckOwner(dossier.id).pack()]
    await chat.tap(texts.DS_BTN_CHECK)
    await chat.say("5678")
    await chat.tap(texts.DS_BTN_FOLLOW)
    await chat.press(Follow(dossier.id).pack())
    assert chat.text == texts.DS_ALREADY_FOLLOWING.format(code=CODE)
    await chat.tap(texts.DS_BTN_UNFOLLOW)
    assert chat.text == texts.DS_UNFOLLOWED.format(code=CODE)
    async with app.db.session() as db:
        assert await db.scalar(select(DossierFollower)) is None
        consents = (await db.scalars(select(ConsentRecord).order_by(ConsentRecord.id))).all()
    assert [(c.purpose, c.what, c.granted) for c in consents] == [
        ("dossier_follow", CODE, True),
        ("dossier_follow", CODE, False),
    ]


async def test_followed_dossiers_are_described_and_erased(app: App, chat: Chat) -> None:
    await feed(app, citizen_phone=None)
    await chat.say(CODE)
    await chat.tap(texts.DS_BTN_FOLLOW)
    await chat.say("/dulieucuatoi")
    assert texts.PV_DOSSIERS.format(n=1, codes=CODE) in chat.text
    router = app.services.router
    async with app.db.session() as db:
        from storage.repos import get_user

        user = await get_user(db, "test", "u1")
        assert user is not None
        await router.personal["dossiers"].erase(db, user)
        await db.commit()
        assert await db.scalar(select(DossierFollower)) is None

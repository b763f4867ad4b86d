# ruff: noqa: F811  (pytest fixtures imported from tests.feedback_support)
"""The conversation service the chat and the console share: take races, where messages go, hand back, end."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.app import App
from handlers import handoff_core as core
from handlers import texts
from handlers.handoff_core import HandoffError
from storage.models import AuditLog, User
from storage.models_feedback import Handoff, HandoffMessage
from tests.conftest import Chat
from tests.feedback_support import (  # noqa: F401  (fixtures)
    citizen,
    fb_app,
    fb_app_any,
    outbox,
    payload_text,
    staff,
)


async def _open(app: App, user: str = "c1") -> int:
    await Chat(app, user=user, name="Trần Thị Mai").say("/gapcanbo")
    async with app.db.session() as db:
        return int(await db.scalar(select(func.max(Handoff.id))))


async def _take(app: App, hid: int, who: str) -> str:
    async with app.db.session() as db:
        try:
            await core.take(db, app.services, hid, who, via="web")
        except HandoffError as exc:
            await db.rollback()
            return str(exc)
        await db.commit()
        return "won"


async def test_two_officers_taking_at_once_only_one_wins(fb_app_any: App) -> None:
    hid = await _open(fb_app_any)
    results = await asyncio.gather(
        _take(fb_app_any, hid, "test:staff1"), _take(fb_app_any, hid, "test:staff2")
    )
    assert sorted(results, key=lambda r: r != "won")[0] == "won"
    assert results.count("won") == 1
    winner = "test:staff1" if results[0] == "won" else "test:staff2"
    loser_text = next(r for r in results if r != "won")
    assert loser_text == texts.HO_TAKEN_BY_OTHER.format(who=winner)
    async with fb_app_any.db.session() as db:
        handoff = await db.get(Handoff, hid)
        assert handoff is not None and handoff.status == "active" and handoff.staff_key == winner
        assert handoff.via == "web"
        lines = list(await db.scalars(select(HandoffMessage).where(HandoffMessage.sender == "system")))
        assert [(x.text, x.author) for x in lines] == [("taken", winner)]
        takes = await db.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "handoff.take")
        )
        assert takes == 1
    joined = [r for r in await outbox(fb_app_any, platform_id="c1") if "đã tham gia" in payload_text(r)]
    assert len(joined) == 1


async def test_taken_in_the_console_messages_stay_out_of_the_officers_chat(fb_app_any: App) -> None:
    hid = await _open(fb_app_any)
    assert await _take(fb_app_any, hid, "test:staff1") == "won"
    to_staff_before = len(await outbox(fb_app_any, platform_id="staff1"))
    mai = Chat(fb_app_any, user="c1", name="Trần Thị Mai")
    assert await mai.say("Cho tôi hỏi giấy khai sinh làm ở đâu?") == []
    assert len(await outbox(fb_app_any, platform_id="staff1")) == to_staff_before
    async with fb_app_any.db.session() as db:
        line = await db.scalar(select(HandoffMessage).where(HandoffMessage.sender == "citizen"))
        assert line is not None and line.text == "Cho tôi hỏi giấy khai sinh làm ở đâu?"
        await core.staff_message(
            db, fb_app_any.services, hid, "test:staff1", "  Anh/chị đến bộ phận một cửa.  "
        )
        await db.commit()
        lines = await core.messages(db, hid, after=line.id)
        assert [(x.sender, x.text, x.author) for x in lines] == [
            ("staff", "Anh/chị đến bộ phận một cửa.", "test:staff1")
        ]
        assert await core.messages(db, hid, after=lines[-1].id) == []
    back = await outbox(fb_app_any, platform_id="c1")
    assert payload_text(back[-1]) == texts.HO_FROM_STAFF.format(text="Anh/chị đến bộ phận một cửa.")


async def test_only_the_officer_who_took_it_writes_hands_back_or_ends(fb_app_any: App) -> None:
    hid = await _open(fb_app_any)
    async with fb_app_any.db.session() as db:
        with pytest.raises(HandoffError, match="không do anh/chị phụ trách"):
            await core.staff_message(db, fb_app_any.services, hid, "test:staff1", "xin chào")
    assert await _take(fb_app_any, hid, "test:staff1") == "won"
    async with fb_app_any.db.session() as db:
        for action in (core.hand_back, core.end_by_staff):
            with pytest.raises(HandoffError):
                await action(db, fb_app_any.services, hid, "test:staff2")
        with pytest.raises(HandoffError, match="2000"):
            await core.staff_message(db, fb_app_any.services, hid, "test:staff1", "x" * 2001)
        with pytest.raises(HandoffError, match="trống"):
            await core.staff_message(db, fb_app_any.services, hid, "test:staff1", "   ")
        await core.hand_back(db, fb_app_any.services, hid, "test:staff1")
        await db.commit()
    async with fb_app_any.db.session() as db:
        handoff = await db.get(Handoff, hid)
        assert handoff is not None and (handoff.status, handoff.staff_key, handoff.via) == (
            "waiting",
            None,
            None,
        )
        waiting = await core.waiting_list(db)
        assert [w.handoff.id for w in waiting] == [hid] and waiting[0].name == "Trần Thị Mai"
    told = await outbox(fb_app_any, platform_id="c1")
    assert payload_text(told[-1]) == texts.WC_HANDED_BACK_CITIZEN
    offered = [r for r in await outbox(fb_app_any, platform_id="staff2") if "hàng chờ" in payload_text(r)]
    assert len(offered) == 1
    # a colleague takes it and ends it; the citizen is asked for a rating
    assert await _take(fb_app_any, hid, "test:staff2") == "won"
    async with fb_app_any.db.session() as db:
        await core.end_by_staff(db, fb_app_any.services, hid, "test:staff2")
        await db.commit()
        with pytest.raises(HandoffError, match="đã kết thúc"):
            await core.end_by_staff(db, fb_app_any.services, hid, "test:staff2")
        events = [x.text for x in await core.messages(db, hid) if x.sender == "system"]
        assert events == ["taken", "handed_back", "taken", "ended_staff"]
    last = await outbox(fb_app_any, platform_id="c1")
    assert texts.HO_STAFF_ENDED in payload_text(last[-1])
    assert await _take(fb_app_any, hid, "test:staff1") == texts.HO_ENDED_ALREADY


async def test_waiting_list_is_oldest_first_with_the_last_topic_and_area(fb_app: App) -> None:
    lan = Chat(fb_app, user="c2", name="Lê Lan")
    await lan.say("khai sinh")
    async with fb_app.db.session() as db:
        user = await db.scalar(select(User).where(User.platform_id == "c2"))
        assert user is not None
        user.area = "Khu phố 2"
        await db.commit()
    await lan.say("/gapcanbo")
    fb_app.services.clock.advance(minutes=1)  # type: ignore[attr-defined]
    await _open(fb_app, user="c3")
    async with fb_app.db.session() as db:
        waiting = await core.waiting_list(db)
    assert [(w.name, w.area, w.topic_id) for w in waiting] == [
        ("Lê Lan", "Khu phố 2", "khai-sinh"),
        ("Trần Thị Mai", None, None),
    ]


async def test_the_citizen_ending_tells_a_chat_officer_but_not_a_console_one(fb_app: App) -> None:
    hid = await _open(fb_app)
    assert await _take(fb_app, hid, "test:staff1") == "won"
    before = len(await outbox(fb_app, platform_id="staff1"))
    await Chat(fb_app, user="c1").press(f"ho:end:{hid}")
    assert len(await outbox(fb_app, platform_id="staff1")) == before
    async with fb_app.db.session() as db:
        assert [x.text for x in await core.messages(db, hid)][-1] == "ended_citizen"


async def test_a_call_back_done_twice_is_recorded_once(fb_app: App, citizen: Chat) -> None:
    from tests.feedback_support import MONDAY_8PM

    fb_app.services.clock.now = MONDAY_8PM  # type: ignore[attr-defined]
    await citizen.say("/gapcanbo")
    await citizen.tap("Đồng ý")
    await citizen.say("0912345678")
    async with fb_app.db.session() as db:
        pending = await core.callbacks(db)
        assert [c.phone for c in pending] == ["0912345678"]
        first = await core.callback_done(db, pending[0].id, "test:staff1")
        second = await core.callback_done(db, pending[0].id, "test:staff2")
        assert first is not None and second is not None and second.done_by == "test:staff1"
        assert await core.callback_done(db, 999, "test:staff1") is None
        await db.commit()
        assert await core.callbacks(db) == []
        audits = await db.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "guide_callback_done")
        )
        assert audits == 1


async def test_erasing_the_citizen_deletes_the_conversation_lines(fb_app: App) -> None:
    from handlers.handoff_privacy import erase

    hid = await _open(fb_app)
    await Chat(fb_app, user="c1").say("Số điện thoại của tôi là 0912345678")
    async with fb_app.db.session() as db:
        assert await core.messages(db, hid)
        user = await db.scalar(select(User).where(User.platform_id == "c1"))
        assert user is not None
        await erase(db, user)
        await db.commit()
        assert await core.messages(db, hid) == []


async def test_the_purge_deletes_the_lines_of_conversations_ended_long_ago(fb_app: App) -> None:
    import datetime as dt

    from handlers.handoff_privacy import purge
    from handlers.settings import RetentionSettings

    hid = await _open(fb_app)
    await Chat(fb_app, user="c1").say("Nhà tôi ở ngõ 5")
    await Chat(fb_app, user="c1").press(f"ho:end:{hid}")
    async with fb_app.db.session() as db:
        now = fb_app.services.clock()
        assert await purge(db, now + dt.timedelta(days=10), RetentionSettings()) == 0
        assert await core.messages(db, hid)
        assert await purge(db, now + dt.timedelta(days=91), RetentionSettings()) == 1
        await db.commit()
        assert await core.messages(db, hid) == []

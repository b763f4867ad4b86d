"""Flows: fallbacks before global commands, cancel words everywhere, stale state, router uniqueness."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.app import App, build_app
from handlers import broadcast, handoff, subscriptions, texts
from handlers.actions import Action
from handlers.context import Context
from handlers.flow import Flow, Run
from handlers.messages import Incoming, Reply
from handlers.router import Feature, Router
from tests.conftest import FIXTURE_KB, Chat, make_settings


@pytest.fixture
async def sapp(tmp_path: Path) -> AsyncIterator[App]:
    application = await build_app(make_settings(tmp_path, knowledge_dir=FIXTURE_KB, staff="test:boss=staff"))
    yield application
    await application.close()


async def _flow_of(app: App, user: str) -> str | None:
    from sqlalchemy import select

    from storage.models import ChatSession, User

    async with app.db.session() as s:
        return await s.scalar(
            select(ChatSession.flow)
            .join(User, User.id == ChatSession.user_id)
            .where(User.platform_id == user)
        )


@pytest.mark.parametrize("word", ["/huy", "hủy", "huy", "thôi", "thoi", "Hủy bỏ ạ"])
async def test_cancel_ends_the_broadcast_draft_and_says_so(sapp: App, word: str) -> None:
    staff = Chat(sapp, user="boss")
    await staff.say("/thongbao")
    assert await _flow_of(sapp, "boss") == broadcast.FLOW.name
    await staff.say(word)
    assert staff.last[0].text == texts.BC_DRAFT_CANCELLED
    assert await _flow_of(sapp, "boss") is None
    # not the subscriptions' /huy ("anh/chị chưa đăng ký…"): the draft's own fallback came first
    assert texts.SUB_NONE not in staff.text


@pytest.mark.parametrize("word", ["/huy", "hủy", "thôi"])
async def test_cancel_leaves_subscriptions_unchanged(sapp: App, word: str) -> None:
    citizen = Chat(sapp, user="c1")
    await citizen.say("/dangky")
    await citizen.press("s:t:chung")  # ticked in the draft, not saved
    await citizen.say(word)
    assert citizen.last[0].text == texts.SUB_KEPT.format(now=texts.SUB_NONE)
    assert await _flow_of(sapp, "c1") is None


async def test_outside_a_flow_huy_is_the_unsubscribe_command(sapp: App) -> None:
    citizen = Chat(sapp, user="c2")
    await citizen.say("/start")  # the first answer begins with the AI notice
    await citizen.say("/huy")
    assert citizen.last[0].text == texts.SUB_NONE


async def test_menu_leaves_the_flow_and_shows_the_menu(sapp: App) -> None:
    staff = Chat(sapp, user="boss")
    await staff.say("/thongbao")
    await staff.say("/menu")
    assert "m:ask" in staff.actions
    assert await _flow_of(sapp, "boss") is None
    await staff.say("Thông báo thử")  # no longer a draft's text: an ordinary question
    assert texts.BC_AUDIENCE_PROMPT not in staff.text


async def test_questions_typed_mid_draft_are_answered_and_the_draft_waits(sapp: App) -> None:
    staff = Chat(sapp, user="boss")
    await staff.say("/thongbao")
    await staff.say("Lịch tiêm chủng tháng 12")
    assert staff.last[-1].text == texts.BC_AUDIENCE_PROMPT
    await staff.say("làm giấy khai sinh cho con")
    assert "Đăng ký khai sinh" in staff.text
    assert await _flow_of(sapp, "boss") == broadcast.FLOW.name


async def test_a_flow_whose_stored_data_no_longer_validates_is_dropped(sapp: App) -> None:
    staff = Chat(sapp, user="boss")
    await staff.say("/thongbao")
    from sqlalchemy import select

    from storage.models import ChatSession, User

    async with sapp.db.session() as s:
        session = await s.scalar(
            select(ChatSession).join(User, User.id == ChatSession.user_id).where(User.platform_id == "boss")
        )
        session.data = {**session.data, "flow": {"state": "no-such-step", "data": {"text": 5}}}
        await s.commit()
    await staff.say("khai sinh")  # answered normally, not a crash
    assert "Đăng ký khai sinh" in staff.text
    assert await _flow_of(sapp, "boss") is None


async def test_staff_rights_removed_mid_draft_end_it(sapp: App) -> None:
    staff = Chat(sapp, user="boss")
    await staff.say("/thongbao")
    sapp.services.staff.role_of = lambda key: None  # type: ignore[method-assign]
    await staff.say("Nội dung")
    assert texts.BC_AUDIENCE_PROMPT not in staff.text
    assert await _flow_of(sapp, "boss") is None


async def test_live_conversation_relays_cancel_words_to_the_officer(sapp: App) -> None:
    citizen = Chat(sapp, user="c3")
    run: Run[handoff.Relay, handoff.Conversation]

    async def open_conversation(ctx: Context, msg: Incoming) -> list[Reply]:
        nonlocal run
        from storage.models_feedback import Handoff

        row = Handoff(
            user_id=ctx.user.id, channel="test", platform_id="c3", status="active", started_at=ctx.now()
        )
        row.messages = 0
        row.staff_key = "test:boss"
        ctx.db.add(row)
        await ctx.db.flush()
        run = handoff.CITIZEN_FLOW.start(ctx, handoff.Relay.LIVE, handoff.Conversation(hid=row.id))
        return []

    sapp.services.router.command("testhandoff", open_conversation, "test")
    await citizen.say("/testhandoff")
    await citizen.say("thôi")
    assert citizen.last == []  # relayed to the officer: no echo, the conversation goes on
    assert await _flow_of(sapp, "c3") == handoff.CITIZEN_FLOW.name
    await citizen.say("/huy")  # the command still ends it
    assert await _flow_of(sapp, "c3") is None
    assert citizen.last[0].text == texts.HO_ENDED_CITIZEN


async def test_forged_button_is_refused_before_the_database(sapp: App) -> None:
    await sapp.db.engine.dispose()
    from sqlalchemy.ext.asyncio import create_async_engine

    sapp.db.engine = create_async_engine("sqlite+aiosqlite:////nonexistent-dir/x.db")
    sapp.db.sessionmaker.configure(bind=sapp.db.engine)
    for data in ("ho:end:99999999999999999999999", "s:ap:-1", "zz:unknown", "r:t:x:7", "pv:maybe"):
        replies = await sapp.dispatcher.handle(Incoming(channel="test", platform_id="x", action=data))
        assert replies[0].text == texts.EXPIRED_BUTTON  # not the "database is down" apology


@dataclass(frozen=True)
class _Ping(Action, prefix="zz:ping"):
    pass


class _S(StrEnum):
    A = "a"


class _D(BaseModel):
    pass


async def _noop(ctx: Context, msg: Incoming) -> list[Reply]:
    return []


async def _noop_action(ctx: Context, msg: Incoming, action: _Ping) -> list[Reply]:
    return []


def test_router_refuses_every_second_registration() -> None:
    router = Router()
    flow: Flow[_S, _D] = Flow("zz", _S, _D, cancelled="x")
    router.action(_Ping, _noop_action)
    router.command("zz", _noop, "x")
    router.flow(flow)
    router.intent("zz", _noop)
    router.event("zz", _noop)
    router.topic("zz", lambda ctx, topic: _noop(ctx, ctx.incoming))  # type: ignore[arg-type,return-value]
    router.text_hook("zz", _noop, priority=1)  # type: ignore[arg-type]
    router.feature(Feature.MENU)
    again = [
        lambda: router.action(_Ping, _noop_action),
        lambda: router.command("zz", _noop, "y"),
        lambda: router.flow(Flow("zz", _S, _D, cancelled="y")),
        lambda: router.intent("zz", _noop),
        lambda: router.event("zz", _noop),
        lambda: router.topic("zz", lambda ctx, topic: _noop(ctx, ctx.incoming)),  # type: ignore[arg-type,return-value]
        lambda: router.text_hook("zz", _noop, priority=2),  # type: ignore[arg-type]
        lambda: router.feature(Feature.MENU),
    ]
    for register in again:
        with pytest.raises(ValueError, match="registered twice"):
            register()


def test_text_hooks_run_by_priority_then_registration() -> None:
    router = Router()

    async def a(ctx: Context, msg: Incoming) -> None:
        return None

    async def b(ctx: Context, msg: Incoming) -> None:
        return None

    async def c(ctx: Context, msg: Incoming) -> None:
        return None

    router.text_hook("late", c, priority=90)
    router.text_hook("first", a, priority=10)
    router.text_hook("second", b, priority=10)
    assert router.text_hooks == [a, b, c]


def test_features_are_registered_and_known(sapp: App) -> None:
    router = sapp.services.router
    assert router.has(Feature.SUBSCRIPTIONS) and router.has(Feature.HANDOFF)
    assert router.intents["human"] is handoff.start  # the menu's dead duplicate is gone
    assert subscriptions.FLOW.name in router.flows

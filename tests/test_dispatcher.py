"""Routing, per-user serialisation and failure handling of the dispatcher."""

from __future__ import annotations

import asyncio
from enum import StrEnum

from pydantic import BaseModel

from bot.app import App
from handlers.context import Context
from handlers.flow import Flow, Run
from handlers.messages import Incoming, Location, Photo, Reply
from tests.conftest import Chat


async def test_free_text_answers_a_procedure(fixture_chat: Chat) -> None:
    await fixture_chat.say("làm giấy khai sinh cho con")
    assert "Đăng ký khai sinh" in fixture_chat.text
    assert "d:khai-sinh:docs" in fixture_chat.actions


async def test_button_action_routes_by_prefix(fixture_chat: Chat) -> None:
    await fixture_chat.press("d:khai-sinh:docs")
    assert "Giấy chứng sinh" in fixture_chat.text
    assert "bản chính" in fixture_chat.text


async def test_typed_number_presses_last_shown_button(fixture_chat: Chat) -> None:
    await fixture_chat.say("/start")
    assert fixture_chat.actions[0] == "m:ask"
    await fixture_chat.say("1")
    assert "gõ câu hỏi" in fixture_chat.text
    # numbers beyond the shown buttons are ordinary text, not presses
    await fixture_chat.say("99")
    assert "Xin lỗi" in fixture_chat.text


async def test_on_telegram_a_typed_number_is_text_not_a_button(fixture_app) -> None:
    """Telegram shows real buttons without numbers: "1" there must not press an invisible one."""
    chat = Chat(fixture_app, channel="telegram")
    await chat.say("/start")
    assert chat.actions[0] == "m:ask"
    await chat.say("1")
    assert "gõ câu hỏi" not in chat.text
    async with fixture_app.services.db.session() as db:
        from storage.repos import get_user, load_session

        user = await get_user(db, "telegram", chat.user)
        assert user is not None
        assert "buttons" not in (await load_session(db, user, lock=False)).data


async def test_unknown_or_stale_action_is_answered_politely(fixture_chat: Chat) -> None:
    await fixture_chat.press("zz:whatever")
    assert "hết hạn" in fixture_chat.text
    await fixture_chat.press("t:no-such-topic")
    assert "hết hạn" in fixture_chat.text
    await fixture_chat.press("d:khai-sinh:nonsense")
    assert "hết hạn" in fixture_chat.text


async def test_commands_with_bot_username_and_unknown_commands(fixture_chat: Chat) -> None:
    await fixture_chat.say("/menu@motcua_bot")
    assert "m:ask" in fixture_chat.actions
    await fixture_chat.say("/khongco")
    assert "/khongco" in fixture_chat.text and "/lienhe" in fixture_chat.text


async def test_media_outside_a_flow_gets_a_polite_reply(fixture_chat: Chat) -> None:
    await fixture_chat.say("/start")  # the first answer begins with the AI notice
    for kind in (
        {"photo": Photo("file-1")},
        {"location": Location(21.0, 105.8)},
        {"other": "sticker"},
        {"other": "voice"},
    ):
        replies = await fixture_chat.send(**kind)
        assert replies and replies[0].text.startswith("Xin")


async def test_unclear_question_falls_back_with_contact(fixture_chat: Chat) -> None:
    await fixture_chat.say("xổ số miền bắc hôm nay về con gì")
    assert "Xin lỗi" in fixture_chat.text
    assert fixture_chat.app.knowledge.kb.locality.hotline in fixture_chat.text


class _Step(StrEnum):
    ONLY = "only"


class _Count(BaseModel):
    count: int = 0


async def test_flow_receives_text_and_can_decline(fixture_app: App) -> None:
    seen: list[str] = []
    echo: Flow[_Step, _Count] = Flow("echo", _Step, _Count, cancelled="đã hủy")

    @echo.on(_Step.ONLY)
    async def echo_step(ctx: Context, msg: Incoming, run: Run[_Step, _Count]) -> list[Reply] | None:
        if msg.text == "chuyện khác":
            run.end(ctx)
            return None  # not mine: continues as free text
        seen.append(msg.text or "")
        run.data.count += 1
        run.save(ctx)
        return [Reply(f"đã nhận {run.data.count}")]

    async def start_flow(ctx: Context, msg: Incoming) -> list[Reply]:
        echo.start(ctx, _Step.ONLY)
        return [Reply("bắt đầu")]

    router = fixture_app.services.router
    router.flow(echo)
    router.command("echo", start_flow, "test")
    chat = Chat(fixture_app)
    await chat.say("/echo")
    await chat.say("một")
    await chat.say("hai")
    assert chat.text == "đã nhận 2"
    await chat.say("chuyện khác")
    assert seen == ["một", "hai"]
    assert chat.last and not chat.text.startswith("đã nhận")  # went on as free text
    await chat.say("ba")
    assert seen == ["một", "hai"]  # the flow ended: no longer receives text


async def test_messages_of_one_user_are_serialised_others_proceed(fixture_app: App) -> None:
    order: list[str] = []
    gate = asyncio.Event()

    async def slow(ctx, msg):
        order.append(f"start {msg.text}")
        if msg.text == "/slow a1":
            await gate.wait()
        order.append(f"end {msg.text}")
        return [Reply("ok")]

    fixture_app.services.router.command("slow", slow, "test")
    dispatcher = fixture_app.dispatcher

    def msg(user: str, text: str) -> Incoming:
        return Incoming(channel="test", platform_id=user, text=text)

    for user in ("a", "b"):  # known users: a slow handler holds no write lock until it commits
        await dispatcher.handle(msg(user, "/start"))

    first = asyncio.create_task(dispatcher.handle(msg("a", "/slow a1")))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(dispatcher.handle(msg("a", "/slow a2")))
    other = asyncio.create_task(dispatcher.handle(msg("b", "/slow b1")))
    await asyncio.wait_for(other, 5)  # user b is not held up by user a
    assert "end /slow b1" in order and "start /slow a2" not in order
    gate.set()
    await asyncio.wait_for(asyncio.gather(first, second), 5)
    assert order.index("end /slow a1") < order.index("start /slow a2")


async def test_handler_crash_becomes_apology_and_nothing_half_saved(fixture_app: App) -> None:
    async def broken(ctx, msg):
        ctx.session.flow = "half"
        raise RuntimeError("boom")

    fixture_app.services.router.command("broken", broken, "test")
    chat = Chat(fixture_app)
    await chat.say("/broken")
    assert "sự cố" in chat.text and fixture_app.knowledge.kb.locality.hotline in chat.text
    await chat.say("/start")
    assert "Xin chào" in chat.text  # the flow set before the crash was rolled back


async def test_database_down_gets_a_clear_apology(fixture_app: App) -> None:
    await fixture_app.db.engine.dispose()
    from sqlalchemy.ext.asyncio import create_async_engine

    fixture_app.db.engine = create_async_engine("sqlite+aiosqlite:////nonexistent-dir/x.db")
    fixture_app.db.sessionmaker.configure(bind=fixture_app.db.engine)
    replies = await fixture_app.dispatcher.handle(Incoming(channel="test", platform_id="x", text="khai sinh"))
    assert "sự cố" in replies[0].text


async def test_online_note_is_shown_even_when_not_online(fixture_app: App) -> None:
    from handlers.answers import section_text

    topic = fixture_app.knowledge.kb.get("tam-tru")
    noted = topic.model_copy(
        update={"online": topic.online.model_copy(update={"note": "Nộp tại Công an xã."})}
    )
    assert "Nộp tại Công an xã." in section_text(noted, "online")


async def test_lifecycle_events_bypass_the_active_flow(fixture_app: App) -> None:
    sticky: Flow[_Step, _Count] = Flow("sticky", _Step, _Count, cancelled="đã hủy")

    @sticky.on(_Step.ONLY)
    async def sticky_step(ctx: Context, msg: Incoming, run: Run[_Step, _Count]) -> list[Reply]:
        return [Reply("flow")]

    async def start_flow(ctx: Context, msg: Incoming) -> list[Reply]:
        sticky.start(ctx, _Step.ONLY)
        return [Reply("ok")]

    async def on_follow(ctx, msg):
        return [Reply("followed")]

    router = fixture_app.services.router
    router.flow(sticky)
    router.command("sticky", start_flow, "test")
    router.event("testfollow", on_follow)
    chat = Chat(fixture_app)
    await chat.say("/sticky")
    await chat.say("hello")
    assert chat.text == "flow"
    await chat.send(other="testfollow")
    assert chat.text == "followed"

"""The Telegram adapter without a server: Update -> Incoming, Reply -> calls, error mapping, sender."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.channels.base import PermanentError, RateLimited, TransientError, Unreachable
from bot.channels.telegram import (
    MAX_TEXT,
    BotIdentity,
    TelegramSender,
    command_menu,
    map_error,
    parse_update,
    render,
    split_for_telegram,
    utf16_len,
)
from bot.config import ConfigError, Settings
from handlers import texts
from handlers.messages import Button, LinkButton, Reply
from handlers.router import Command
from tests.fake_telegram import FakeTelegram

ME = BotIdentity(id=123456, username="motcua_test_bot")
USER = {"id": 42, "is_bot": False, "first_name": "Lan", "last_name": "Nguyễn"}
PRIVATE = {"id": 42, "type": "private", "first_name": "Lan"}
GROUP = {"id": -100500, "type": "supergroup", "title": "Tổ dân phố"}
BOT_USER = {"id": ME.id, "is_bot": True, "first_name": "Một cửa", "username": ME.username}


def update(**payload: Any) -> Update:
    return Update.de_json({"update_id": 1, **payload}, None)


def message(chat: dict[str, Any] = PRIVATE, **content: Any) -> dict[str, Any]:
    return {"message_id": 7, "date": 1_700_000_000, "chat": chat, "from": USER, **content}


# ---------------------------------------------------------------- inbound


def test_private_text_becomes_incoming() -> None:
    inbound = parse_update(update(message=message(text="khai sinh")), ME)
    assert inbound is not None and inbound.chat_id == 42
    [incoming] = inbound.incomings
    assert (incoming.channel, incoming.platform_id, incoming.text) == ("telegram", "42", "khai sinh")
    assert incoming.display_name == "Lan Nguyễn" and incoming.message_id == "7"


def test_photo_takes_the_biggest_size_and_keeps_the_caption() -> None:
    sizes = [
        {"file_id": "small", "file_unique_id": "a", "width": 90, "height": 90, "file_size": 10},
        {"file_id": "big", "file_unique_id": "b", "width": 1280, "height": 960, "file_size": 90_000},
    ]
    inbound = parse_update(update(message=message(photo=sizes, caption="ổ gà đường Lê Lợi")), ME)
    assert inbound is not None
    photo, caption = inbound.incomings
    assert photo.photo is not None and photo.photo.ref == "big" and photo.photo.size == 90_000
    assert caption.text == "ổ gà đường Lê Lợi"


def test_image_document_is_a_photo() -> None:
    doc = {"file_id": "doc1", "file_unique_id": "d", "mime_type": "image/jpeg", "file_size": 5}
    inbound = parse_update(update(message=message(document=doc)), ME)
    assert inbound is not None and inbound.incomings[0].photo is not None


def test_location_contact_sticker_and_other_media() -> None:
    loc = parse_update(update(message=message(location={"latitude": 20.6, "longitude": 106.1})), ME)
    assert loc is not None and loc.incomings[0].location is not None
    assert loc.incomings[0].location.latitude == 20.6
    own = {"phone_number": "+84912345678", "first_name": "Lan", "user_id": 42}
    contact = parse_update(update(message=message(contact=own)), ME)
    assert contact is not None and contact.incomings[0].contact is not None
    assert contact.incomings[0].contact.phone == "+84912345678"
    other = {"phone_number": "+84900000000", "first_name": "Hùng", "user_id": 99}
    foreign = parse_update(update(message=message(contact=other)), ME)
    assert foreign is not None and foreign.incomings[0].other == "contact_other"
    sticker = {
        "file_id": "s",
        "file_unique_id": "s",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
    st = parse_update(update(message=message(sticker=sticker)), ME)
    assert st is not None and st.incomings[0].other == "sticker"
    voice = parse_update(
        update(message=message(voice={"file_id": "v", "file_unique_id": "v", "duration": 2})), ME
    )
    assert voice is not None and voice.incomings[0].other == "voice"
    service = parse_update(update(message=message(new_chat_title="x")), ME)
    assert service is not None and service.incomings[0].other == "other"


def test_edited_message_is_handled_like_a_new_one() -> None:
    inbound = parse_update(update(edited_message=message(text="tạm trú", edit_date=1)), ME)
    assert inbound is not None and inbound.incomings[0].text == "tạm trú"


def test_messages_from_bots_and_channel_posts_are_ignored() -> None:
    bot_message = message(text="hi")
    bot_message["from"] = {"id": 5, "is_bot": True, "first_name": "Other"}
    assert parse_update(update(message=bot_message), ME) is None
    channel = {"id": -1001, "type": "channel", "title": "Kênh"}
    post = {"message_id": 1, "date": 1, "chat": channel, "text": "x"}
    assert parse_update(update(channel_post=post), ME) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@motcua_test_bot khai sinh", "khai sinh"),
        ("cho hỏi @MOTCUA_TEST_BOT tạm trú", "cho hỏi tạm trú"),
        ("/start@motcua_test_bot", "/start"),
        ("@motcua_test_bot", "/menu"),
    ],
)
def test_group_messages_addressed_to_the_bot(text: str, expected: str) -> None:
    inbound = parse_update(update(message=message(GROUP, text=text)), ME)
    assert inbound is not None and inbound.chat_id == GROUP["id"]
    assert inbound.incomings[0].text == expected
    assert inbound.incomings[0].platform_id == "42"


@pytest.mark.parametrize("text", ["khai sinh", "/start", "/start@other_bot", "email@motcua_test_botx"])
def test_group_messages_not_addressed_are_ignored(text: str) -> None:
    assert parse_update(update(message=message(GROUP, text=text)), ME) is None


def test_group_messages_say_which_group_so_nothing_personal_is_posted_there() -> None:
    """/dulieucuatoi@bot in a group used to post the citizen's phone number to the group."""
    inbound = parse_update(update(message=message(GROUP, text="/dulieucuatoi@motcua_test_bot")), ME)
    assert inbound is not None and inbound.incomings[0].group == str(GROUP["id"])
    assert inbound.incomings[0].in_public_group(staff_chat="")
    assert not inbound.incomings[0].in_public_group(staff_chat=f"telegram:{GROUP['id']}")


def test_group_reply_to_the_bot_is_addressed() -> None:
    original = {"message_id": 3, "date": 1, "chat": GROUP, "from": BOT_USER, "text": "Xin chào"}
    inbound = parse_update(update(message=message(GROUP, text="tạm trú", reply_to_message=original)), ME)
    assert inbound is not None and inbound.incomings[0].text == "tạm trú"


def test_callback_query_becomes_action() -> None:
    bot_message = {"message_id": 9, "date": 1, "chat": PRIVATE, "from": BOT_USER, "text": "menu"}
    query = {"id": "q1", "from": USER, "chat_instance": "c", "message": bot_message, "data": "m:contact"}
    inbound = parse_update(update(callback_query=query), ME)
    assert inbound is not None and inbound.callback_query_id == "q1"
    assert inbound.callback_message_id == 9 and inbound.incomings[0].action == "m:contact"
    query["data"] = "dữ liệu lạ"
    odd = parse_update(update(callback_query=query), ME)
    assert odd is not None and odd.incomings[0].action == "?"
    inline = {"id": "q2", "from": USER, "chat_instance": "c", "inline_message_id": "i", "data": "x"}
    only_answer = parse_update(update(callback_query=inline), ME)
    assert only_answer is not None and only_answer.incomings == [] and only_answer.callback_query_id == "q2"


def test_blocking_the_bot_is_noticed() -> None:
    member = {
        "chat": PRIVATE,
        "from": USER,
        "date": 1,
        "old_chat_member": {"status": "member", "user": BOT_USER},
        "new_chat_member": {"status": "kicked", "user": BOT_USER, "until_date": 0},
    }
    inbound = parse_update(update(my_chat_member=member), ME)
    assert inbound is not None and inbound.blocked and inbound.platform_id == "42"


# ---------------------------------------------------------------- rendering


def test_text_is_escaped_and_buttons_become_an_inline_keyboard() -> None:
    reply = Reply(
        "Phí <50.000đ> & miễn phí",
        buttons=[[Button("Giấy tờ", "t:khai-sinh:docs"), Button("Phí", "t:khai-sinh:fees")]],
        links=[LinkButton("Cổng DVC", "https://dichvucong.gov.vn")],
    )
    [msg] = render([reply])
    assert msg.html == "Phí &lt;50.000đ&gt; &amp; miễn phí"
    assert isinstance(msg.markup, InlineKeyboardMarkup)
    rows = msg.markup.inline_keyboard
    assert [b.callback_data for b in rows[0]] == ["t:khai-sinh:docs", "t:khai-sinh:fees"]
    assert rows[1][0].url == "https://dichvucong.gov.vn"


def test_fast_markup_json_matches_ptb() -> None:
    from telegram import InlineKeyboardButton, WebAppInfo

    from bot.channels.telegram import markup_json

    reply = Reply(
        "x",
        buttons=[[Button("Giấy tờ", "t:khai-sinh:docs"), Button("👍 Có ích", "r:t:khai-sinh:1")]],
        links=[LinkButton("Cổng DVC", "https://dichvucong.gov.vn")],
    )
    [msg] = render([reply])
    assert markup_json(msg.markup) == msg.markup.to_dict()
    other = InlineKeyboardMarkup([[InlineKeyboardButton("App", web_app=WebAppInfo("https://a.vn"))]])
    assert markup_json(other) == other.to_dict()  # kinds we do not build fall back to PTB
    assert markup_json(ReplyKeyboardRemove()) == {"remove_keyboard": True}


def test_rows_longer_than_eight_are_wrapped_and_bad_urls_spelled_out() -> None:
    row = [Button(str(i), f"n:{i}") for i in range(11)]
    reply = Reply("Chọn", buttons=[row], links=[LinkButton("Số điện thoại", "tel:18001096")])
    [msg] = render([reply])
    assert [len(r) for r in msg.markup.inline_keyboard] == [8, 3]
    assert "Số điện thoại: tel:18001096" in msg.text


def test_long_text_is_split_on_paragraphs_with_keyboard_on_the_last_part() -> None:
    paragraphs = [f"Đoạn {i}. " + "x" * 900 for i in range(10)]
    reply = Reply("\n\n".join(paragraphs), buttons=[[Button("Menu", "m:home")]])
    parts = render([reply])
    assert len(parts) == 3
    assert all(utf16_len(p.text) <= MAX_TEXT for p in parts)
    assert all(p.markup is None for p in parts[:-1]) and parts[-1].markup is not None
    assert "\n\n".join(p.text for p in parts) == reply.text


def test_splitting_counts_utf16_units() -> None:
    text = "📄" * 3000  # 6000 UTF-16 units, 3000 characters
    parts = split_for_telegram(text)
    assert len(parts) >= 2 and all(utf16_len(p) <= MAX_TEXT for p in parts)
    assert "".join(parts).replace(" ", "") == text


def test_edit_only_for_the_first_edit_reply_that_fits() -> None:
    msgs = render([Reply("Một", edit=True), Reply("Hai", edit=True)], edit_message_id=5)
    assert [(m.kind, m.edit_message_id) for m in msgs] == [("edit", 5), ("text", None)]
    assert [m.kind for m in render([Reply("Một", edit=True)])] == ["text"]
    long = render([Reply("a\n\n" * 3000, edit=True)], edit_message_id=5)
    assert all(m.kind == "text" for m in long)


def test_request_contact_keyboard_and_its_removal() -> None:
    msgs = render([Reply("Xin phép", request_contact=True, buttons=[[Button("Bỏ qua", "c:skip")]])])
    assert isinstance(msgs[0].markup, ReplyKeyboardMarkup)
    assert msgs[0].markup.keyboard[0][0].request_contact
    assert msgs[1].text == texts.TG_CHOOSE and isinstance(msgs[1].markup, InlineKeyboardMarkup)
    later = render(
        [Reply("Có nút", buttons=[[Button("A", "a:1")]]), Reply("Không nút")], remove_keyboard=True
    )
    assert isinstance(later[1].markup, ReplyKeyboardRemove) and later[1].removes_keyboard
    buttons_only = render([Reply("Cảm ơn", buttons=[[Button("Menu", "m:home")]])], remove_keyboard=True)
    assert isinstance(buttons_only[0].markup, ReplyKeyboardRemove)
    assert buttons_only[0].follow_markup is not None  # the buttons come by an edit after sending


def test_photo_and_empty_text() -> None:
    msgs = render([Reply("", photo="https://example.vn/a.jpg"), Reply("", buttons=[[Button("A", "a:1")]])])
    assert [m.kind for m in msgs] == ["photo", "text"]
    assert msgs[1].text == texts.TG_CHOOSE


def test_command_menu_order_and_validity() -> None:
    async def noop(ctx, msg):
        return []

    commands = [
        Command("lienhe", noop, "Liên hệ"),
        Command("zeta", noop, "Khác"),
        Command("start", noop, "Bắt đầu"),
        Command("Bad-Name", noop, "x"),
        Command("menu", noop, "Menu"),
    ]
    assert [c.command for c in command_menu(commands)] == ["start", "menu", "lienhe", "zeta"]


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (RetryAfter(7), RateLimited),
        (Forbidden("Forbidden: bot was blocked by the user"), Unreachable),
        (Forbidden("Forbidden: user is deactivated"), Unreachable),
        (BadRequest("Chat not found"), Unreachable),
        (ChatMigrated(-1002), Unreachable),
        (BadRequest("Button_data_invalid"), PermanentError),
        (BadRequest("Can't parse entities: unsupported start tag"), PermanentError),
        (NetworkError("Bad Gateway"), TransientError),
        (TimedOut(), TransientError),
        (InvalidToken(), TransientError),
    ],
)
def test_error_mapping(exc: Exception, expected: type) -> None:
    mapped = map_error(exc)  # type: ignore[arg-type]
    assert type(mapped) is expected
    if isinstance(mapped, RateLimited):
        assert mapped.retry_after == 7


def test_telegram_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match="MOTCUA_TELEGRAM_WEBHOOK_URL"):
        Settings(telegram_webhook_url="http://bot.example.vn/hook").resolved()
    with pytest.raises(ConfigError, match="MOTCUA_TELEGRAM_WEBHOOK_SECRET"):
        Settings(telegram_webhook_secret="has spaces!").resolved()
    with pytest.raises(ConfigError, match="MOTCUA_TELEGRAM_API_URL"):
        Settings(telegram_api_url="api.telegram.org").resolved()
    with pytest.raises(ConfigError, match="MOTCUA_TELEGRAM_POLL_TIMEOUT"):
        Settings.from_env({"MOTCUA_TELEGRAM_POLL_TIMEOUT": "90"})
    ok = Settings(
        telegram_webhook_url="https://bot.example.vn/tg", telegram_webhook_secret="a-B_9"
    ).resolved()
    assert ok.telegram_webhook_secret == "a-B_9"


# ---------------------------------------------------------------- the outbox sender


@pytest.fixture
async def sender_env():
    fake = FakeTelegram()
    await fake.start()
    bot = Bot(fake.token, base_url=fake.api_url)
    await bot.initialize()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    yield fake, TelegramSender(bot, sleep=sleep), waits
    await bot.shutdown()
    await fake.stop()


async def test_sender_delivers_and_returns_the_message_id(sender_env) -> None:
    fake, sender, _ = sender_env
    fake.user(50)
    message_id = await sender.send(
        "50", [Reply("Thông báo lịch tiếp dân", buttons=[[Button("Xem", "m:contact")]])]
    )
    assert message_id == str(fake.messages_to(50)[-1]["message_id"])


async def test_sender_maps_errors(sender_env) -> None:
    fake, sender, _ = sender_env
    fake.user(51)
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    with pytest.raises(RateLimited) as limited:
        await sender.send("51", [Reply("a")])
    assert limited.value.retry_after == 5
    fake.block(51)
    with pytest.raises(Unreachable):
        await sender.send("51", [Reply("a")])
    with pytest.raises(Unreachable):
        await sender.send("777", [Reply("a")])  # chat not found
    fake.user(52)
    fake.fail_next("sendMessage", 400, "Bad Request: BUTTON_DATA_INVALID")
    with pytest.raises(PermanentError):
        await sender.send("52", [Reply("a")])
    fake.fail_next("sendMessage", 502, "Bad Gateway")
    with pytest.raises(TransientError):
        await sender.send("52", [Reply("a")])


async def test_sender_finishes_a_split_message_instead_of_raising(sender_env) -> None:
    fake, sender, waits = sender_env
    fake.user(53)
    text = "\n\n".join("đoạn " + "x" * 3000 for _ in range(2))
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2, after=1)
    message_id = await sender.send("53", [Reply(text)])
    assert len(fake.messages_to(53)) == 2  # nothing resent, nothing missing
    assert waits == [2.0]
    assert message_id == str(fake.messages_to(53)[-1]["message_id"])

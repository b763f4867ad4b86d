"""Fuzzed platform updates (hypothesis) for the three webhooks, and a runner that posts them
through the real handlers and counts what went wrong. Shared by tests/fault/test_fuzz.py
(a few hundred per channel, in CI) and benchmarks/fault_db.py (10,000 per channel).

The updates are mostly well-formed (known users, real event names, real button prefixes)
with hostile values in every field, so they reach the dispatcher and the database; some
are arbitrary JSON. Zalo OA bodies are signed, so they pass the signature check.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.fault.rig import Rig

TG_USERS = list(range(100, 130))
STAFF = 7001
OA_USERS = [f"oa-{i}" for i in range(30)]
BOT_CHATS = [f"zb-{i}" for i in range(30)]
PREFIXES = ["m", "t", "s:t", "g:n", "ho:end", "ho:back", "fb", "c", "r", "bc", "x"]  # some real, some not
ODD = ["\u0000", "\ud800", "\udfff", "\u202e", "\ufeff", "😀", "𝕏", "\n", "<b>", "&amp;", "%s", "{0}", "'--"]

json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
any_json = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
hostile_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(ODD) | st.characters(), min_size=1, max_size=30).map("".join),
    st.sampled_from(
        ["/start", "/menu", "/huy", "1", "2", "9", "hủy", "gặp cán bộ", "phản ánh", "làm căn cước"]
    ),
    st.builds(lambda a, b: a + b, st.sampled_from(ODD), st.text(max_size=20)),
    st.integers(3000, 5000).map(lambda n: ("đường hỏng \n" * n)[:n]),  # long, cheaply
)
huge_int = st.one_of(st.integers(), st.integers(min_value=2**63 - 5, max_value=2**70), st.just(-(2**63) - 1))
button_data = st.one_of(
    st.builds(
        lambda p, parts: ":".join([p, *parts])[:64],
        st.sampled_from(PREFIXES),
        st.lists(st.one_of(huge_int.map(str), st.text(max_size=6)), max_size=3),
    ),
    st.text(max_size=70),
)
unique_id = st.one_of(st.uuids().map(str), st.uuids().map(str), st.uuids().map(str), st.text(max_size=16))


SANE = 0.85  # share of fields that hold what the platform promises; the rest hold anything


@st.composite
def _weighted(draw: st.DrawFn, usual: st.SearchStrategy[Any], other: st.SearchStrategy[Any]) -> Any:
    """`usual` SANE of the time, else `other`; weighted by a seeded Random because hypothesis's
    own one_of leans towards the unusual branches, which left few updates reaching the bot."""
    rnd = draw(st.randoms(use_true_random=True))
    return draw(usual if rnd.random() < SANE else other)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field that usually holds what it should, else anything at all."""
    return _weighted(strategy, any_json)


def mostly(values: list[Any], other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually one of `values`, else something drawn from `other`."""
    return _weighted(st.sampled_from(values), other)


@st.composite
def telegram_update(draw: st.DrawFn) -> dict[str, Any]:
    uid = draw(mostly([*TG_USERS, STAFF], huge_int))
    user = {
        "id": uid,
        "is_bot": draw(mostly([False], st.booleans())),
        "first_name": draw(maybe(hostile_text)),
    }
    if draw(st.booleans()):
        user["last_name"] = draw(hostile_text)
    chat = {"id": uid, "type": draw(mostly(["private"], st.sampled_from(["group", "supergroup", "channel"])))}
    message: dict[str, Any] = {
        "message_id": draw(mostly(list(range(1, 50)), huge_int)),
        "date": draw(mostly([int(time.time())], huge_int)),
        "chat": chat,
        "from": user,
    }
    kind = draw(
        mostly(
            ["text", "text", "text", "callback", "callback", "photo", "contact", "location"],
            st.just("edited"),
        )
    )
    update: dict[str, Any] = {"update_id": draw(st.integers(min_value=1, max_value=2**31))}
    if kind == "text":
        message["text"] = draw(maybe(hostile_text))
        update["message"] = message
    elif kind == "callback":
        update["callback_query"] = {
            "id": draw(st.text(min_size=1, max_size=10)),
            "from": user,
            "chat_instance": "ci",
            "data": draw(maybe(button_data)),
            "message": {**message, "text": "x"},
        }
    elif kind == "photo":
        size = {"file_id": draw(st.text(max_size=20)), "file_unique_id": "u", "width": 1, "height": 1}
        message["photo"] = draw(st.one_of(st.just([size]), st.lists(any_json, max_size=2)))
        message["caption"] = draw(hostile_text)
        update["message"] = message
    elif kind == "contact":
        message["contact"] = {
            "phone_number": draw(hostile_text),
            "first_name": draw(hostile_text),
            "user_id": draw(st.sampled_from([uid, uid + 1])),
        }
        update["message"] = message
    elif kind == "location":
        message["location"] = {"latitude": draw(maybe(st.floats())), "longitude": draw(maybe(st.floats()))}
        update["message"] = message
    else:
        message["text"] = draw(hostile_text)
        update["edited_message"] = message
    if draw(mostly([False], st.just(True))):  # unknown fields next to the known ones
        update.update(draw(st.dictionaries(st.text(max_size=12), any_json, max_size=3)))
    return update


@st.composite
def oa_event(draw: st.DrawFn) -> dict[str, Any]:
    user = draw(mostly(OA_USERS, st.text(max_size=12)))
    name = draw(
        mostly(
            [
                *("user_send_text", "user_send_text", "user_send_image", "user_send_location"),
                *("user_submit_info", "follow", "unfollow", "user_send_sticker", "oa_send_text"),
            ],
            st.text(max_size=20),
        )
    )
    stamp = draw(mostly([str(int(time.time() * 1000))], st.text(max_size=14)))
    event: dict[str, Any] = {"app_id": draw(st.text(max_size=5)), "event_name": name, "timestamp": stamp}
    event["sender"] = draw(maybe(st.just({"id": user})))
    event["follower"] = draw(maybe(st.just({"id": user})))
    text = draw(maybe(st.one_of(hostile_text, button_data.map(lambda d: f"#a:{d}"))))
    attachments = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["image", "location", "sticker"]) | st.text(max_size=5),
                    "payload": any_json,
                }
            )
            | any_json,
            max_size=3,
        )
    )
    event["message"] = draw(
        maybe(st.just({"msg_id": draw(unique_id), "text": text, "attachments": attachments}))
    )
    if draw(st.booleans()):
        event["info"] = draw(maybe(st.fixed_dictionaries({"name": hostile_text, "phone": hostile_text})))
    return event


@st.composite
def zalo_bot_update(draw: st.DrawFn) -> Any:
    chat = draw(mostly(BOT_CHATS, st.text(max_size=12)))
    message: dict[str, Any] = {
        "message_id": draw(unique_id),
        "date": draw(mostly([int(time.time() * 1000)], huge_int)),
        "chat": draw(maybe(st.just({"id": chat, "chat_type": "PRIVATE"}))),
        "from": draw(
            maybe(st.just({"id": chat, "display_name": draw(maybe(hostile_text)), "is_bot": False}))
        ),
        "text": draw(maybe(hostile_text)),
    }
    if draw(st.booleans()):
        message["photo_url"] = draw(maybe(st.text(max_size=30)))
    name = draw(
        mostly(
            [
                "message.text.received",
                "message.text.received",
                "message.image.received",
                "message.sticker.received",
            ],
            st.text(max_size=20),
        )
    )
    update = {"event_name": name, "message": message}
    return draw(mostly([{"ok": True, "result": update}, update], any_json))


def generate(strategy: st.SearchStrategy[Any], count: int, random_seed: int = 17) -> list[Any]:
    """`count` examples drawn by hypothesis (no shrinking: this is a load, not a search)."""
    out: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @seed(random_seed)
    @given(strategy)
    def collect(value: Any) -> None:
        out.append(value)

    collect()
    return out


@dataclass
class FuzzFigures:
    channel: str
    posted: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    replies: int = 0  # messages the bot sent back: how many updates reached the conversation
    unhandled: int = 0  # tracebacks outside the deliberate refusals, and exceptions nobody retrieved
    unreadable: int = 0  # the adapters' deliberate refusals (tests/fault/rig.py UNREADABLE)

    @property
    def http_500(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def line(self) -> str:
        shown = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        return (
            f"fuzz {self.channel}: {self.posted} updates in {self.seconds:.1f} s, {self.replies} replies sent; "
            f"HTTP {shown}; "
            f"HTTP 5xx {self.http_500}; unhandled exceptions {self.unhandled}; "
            f"refused as not fitting the platform's types (logged, acknowledged) {self.unreadable}"
        )


async def fuzz_channel(rig: Rig, channel: str, bodies: list[Any], concurrency: int = 16) -> FuzzFigures:
    """Post every body through the channel's webhook and wait until all are handled."""
    figures = FuzzFigures(channel)
    post = {"telegram": rig.post_telegram, "zalo_oa": rig.post_oa, "zalo_bot": rig.post_zalo_bot}[channel]
    for uid in [*TG_USERS, STAFF]:
        rig.tg.user(uid)
    for user in OA_USERS:
        rig.oa.interactions[user] = rig.oa.now()
    sem = asyncio.Semaphore(concurrency)
    began = time.perf_counter()
    before = sent_count(rig)
    unhandled = len(rig.tracebacks.records) + len(rig.loop_errors)
    unreadable = len(rig.tracebacks.unreadable)

    next_id = iter(range(10**6, 10**9))

    async def one(body: Any) -> None:
        if channel == "telegram" and isinstance(body, dict) and isinstance(body.get("update_id"), int):
            body["update_id"] = next(next_id)  # drawn ids repeat, and repeats are (rightly) skipped
        raw = json.dumps(body).encode()  # surrogates and NUL as \\uXXXX escapes, as platforms send them
        async with sem:
            status = await post(raw)
        figures.statuses[status] = figures.statuses.get(status, 0) + 1
        figures.posted += 1

    await asyncio.gather(*(one(b) for b in bodies))
    await rig.idle(within=600)
    figures.seconds = time.perf_counter() - began
    figures.replies = sent_count(rig) - before
    figures.unhandled = len(rig.tracebacks.records) + len(rig.loop_errors) - unhandled
    figures.unreadable = len(rig.tracebacks.unreadable) - unreadable
    return figures


def sent_count(rig: Rig) -> int:
    telegram = sum(len(rig.tg.calls_of(m)) for m in ("sendMessage", "editMessageText", "sendPhoto"))
    return telegram + len(rig.oa.sent) + len(rig.zbot.sent)

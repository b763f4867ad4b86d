"""/staff/conversations: the waiting list, taking (one winner), the conversation page and its JSON, call-backs."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import func, select

from bot.app import App
from handlers import texts
from storage.models import AuditLog, Outbox
from storage.models_feedback import Handoff, HandoffMessage
from storage.models_guides import GuideCallback
from tests.conftest import Chat
from tests.web.conftest import STAFF, post_form

# Monday 30 November 2026, 09:00 in Hà Nội: office hours, so «gặp cán bộ» opens a conversation
MONDAY_9AM = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


async def _waiting(bot: App, user: str = "c1", name: str = "Phạm Thu Hà") -> int:
    bot.services.clock = lambda: MONDAY_9AM
    await Chat(bot, user=user, name=name).say("/gapcanbo")
    async with bot.db.session() as db:
        return int(await db.scalar(select(func.max(Handoff.id))))


async def _handoff(bot: App, hid: int) -> Handoff:
    async with bot.db.session() as db:
        handoff = await db.get(Handoff, hid)
        assert handoff is not None
        return handoff


async def _to_citizen(bot: App, user: str = "c1") -> list[str]:
    async with bot.db.session() as db:
        rows = await db.scalars(select(Outbox).where(Outbox.platform_id == user).order_by(Outbox.id))
        return ["\n".join(p["text"] for p in r.payload) for r in rows]


async def test_the_list_shows_waiting_citizens_and_call_backs(web_bot: App, staff_client) -> None:
    hid = await _waiting(web_bot)
    async with web_bot.db.session() as db:
        db.add(
            GuideCallback(
                user_id=None, walkthrough_id="-", phone="0912345678", name="Ngô Văn Bảy", status="pending"
            )
        )
        await db.commit()
    client = await staff_client(role="staff")
    html = await (await client.get("/staff/conversations")).text()
    assert texts.WC_WAITING in html and "Phạm Thu Hà" in html
    assert f"/staff/conversations/{hid}/take" in html
    assert "0912345678" in html and "Ngô Văn Bảy" in html
    assert texts.WC_MINE_NONE in html


async def test_not_signed_in_is_sent_to_sign_in_and_a_post_is_refused(web_bot: App, staff_client) -> None:
    hid = await _waiting(web_bot)
    client = await staff_client(signed_in=False)
    page = await client.get("/staff/conversations", allow_redirects=False)
    assert page.status == 303 and page.headers["Location"] == "/staff/signin"
    refused = await post_form(client, f"/conversations/{hid}/take", {})
    assert refused.status == 403
    assert (await _handoff(web_bot, hid)).status == "waiting"


async def test_take_send_and_the_json_endpoint(web_bot: App, staff_client) -> None:
    hid = await _waiting(web_bot)
    client = await staff_client(role="staff")
    taken = await post_form(client, f"/conversations/{hid}/take", {})
    assert taken.status == 303 and taken.headers["Location"] == f"/staff/conversations/{hid}"
    handoff = await _handoff(web_bot, hid)
    assert (handoff.status, handoff.staff_key, handoff.via) == ("active", STAFF, "web")
    assert texts.HO_STAFF_JOINED in (await _to_citizen(web_bot))[-1]

    # the citizen writes: stored, shown by the JSON endpoint, not pushed to the officer's chat
    to_officer = len(await _to_citizen(web_bot, STAFF.partition(":")[2]))
    await Chat(web_bot, user="c1", name="Phạm Thu Hà").say("Tôi cần sao y giấy khai sinh")
    assert len(await _to_citizen(web_bot, STAFF.partition(":")[2])) == to_officer
    data = await (await client.get(f"/staff/conversations/{hid}/messages.json")).json()
    assert data["status"] == "active" and data["mine"] is True
    assert [(m["sender"], m["text"]) for m in data["messages"]][-1] == (
        "citizen",
        "Tôi cần sao y giấy khai sinh",
    )
    last = data["messages"][-1]["id"]
    assert (await (await client.get(f"/staff/conversations/{hid}/messages.json?after={last}")).json())[
        "messages"
    ] == []

    # a plain form post (no script): redirect back with a flash, the citizen gets it through the outbox
    sent = await post_form(
        client, f"/conversations/{hid}/send", {"text": "Anh/chị mang bản chính đến bộ phận một cửa."}
    )
    assert sent.status == 303
    assert (await _to_citizen(web_bot))[-1] == texts.HO_FROM_STAFF.format(
        text="Anh/chị mang bản chính đến bộ phận một cửa."
    )
    page = await (await client.get(f"/staff/conversations/{hid}")).text()
    assert texts.WC_SENT_FLASH in page and "Tôi cần sao y giấy khai sinh" in page and "bản chính" in page

    # the script's way: the header token, a JSON answer
    js = await client.post(
        f"/staff/conversations/{hid}/send",
        data={"text": "Lệ phí theo quy định."},
        headers={"X-CSRF-Token": client.csrf_token, "Accept": "application/json"},
    )
    body = await js.json()
    assert js.status == 200 and body["ok"] is True and body["message"]["text"] == "Lệ phí theo quy định."
    too_long = await client.post(
        f"/staff/conversations/{hid}/send",
        data={"text": "x" * 2001},
        headers={"X-CSRF-Token": client.csrf_token, "Accept": "application/json"},
    )
    assert too_long.status == 400 and "2000" in (await too_long.json())["error"]
    async with web_bot.db.session() as db:
        actions = list(
            await db.scalars(select(AuditLog.action).where(AuditLog.actor == f"web:staff#{client.staff_id}"))
        )
    assert actions.count("handoff.message") == 2 and "handoff.take" in actions


async def test_two_officers_take_the_same_conversation_one_wins(web_bot: App, staff_client) -> None:
    hid = await _waiting(web_bot)
    first = await staff_client(role="staff")
    second = await staff_client(role="admin")
    results = await asyncio.gather(
        post_form(first, f"/conversations/{hid}/take", {}),
        post_form(second, f"/conversations/{hid}/take", {}),
    )
    locations = sorted(r.headers["Location"] for r in results)
    assert locations == ["/staff/conversations", f"/staff/conversations/{hid}"]
    handoff = await _handoff(web_bot, hid)
    winner = first if handoff.staff_key == first.identity else second
    loser = second if winner is first else first
    assert handoff.staff_key == winner.identity
    html = await (await loser.get("/staff/conversations")).text()
    assert texts.HO_TAKEN_BY_OTHER.format(who=winner.identity) in html
    # the loser sees the conversation but cannot write, hand back or end it
    page = await (await loser.get(f"/staff/conversations/{hid}")).text()
    assert 'id="send-form"' not in page
    for action in ("send", "hand-back", "end"):
        await post_form(loser, f"/conversations/{hid}/{action}", {"text": "chen ngang"})
    assert (await _handoff(web_bot, hid)).status == "active"
    async with web_bot.db.session() as db:
        staff_lines = await db.scalar(
            select(func.count()).select_from(HandoffMessage).where(HandoffMessage.sender == "staff")
        )
        takes = await db.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "handoff.take")
        )
    assert staff_lines == 0 and takes == 1


async def test_missing_csrf_is_refused_and_nothing_changes(web_bot: App, staff_client) -> None:
    hid = await _waiting(web_bot)
    client = await staff_client(role="staff")
    refused = await client.post(f"/staff/conversations/{hid}/take", data={}, allow_redirects=False)
    assert refused.status == 403
    wrong = await client.post(
        f"/staff/conversations/{hid}/take", data={"_csrf": "forged"}, allow_redirects=False
    )
    assert wrong.status == 403
    assert (await _handoff(web_bot, hid)).status == "waiting"
    await post_form(client, f"/conversations/{hid}/take", {})
    before = await _to_citizen(web_bot)
    no_token = await client.post(
        f"/staff/conversations/{hid}/send",
        data={"text": "không có mã"},
        headers={"Accept": "application/json"},
    )
    assert no_token.status == 403
    for path in ("end", "hand-back"):
        assert (await client.post(f"/staff/conversations/{hid}/{path}", data={})).status == 403
    assert await _to_citizen(web_bot) == before
    assert (await _handoff(web_bot, hid)).status == "active"


async def test_hand_back_then_end(web_bot: App, staff_client) -> None:
    hid = await _waiting(web_bot)
    client = await staff_client(role="staff")
    await post_form(client, f"/conversations/{hid}/take", {})
    back = await post_form(client, f"/conversations/{hid}/hand-back", {})
    assert back.status == 303 and back.headers["Location"] == "/staff/conversations"
    handoff = await _handoff(web_bot, hid)
    assert (handoff.status, handoff.staff_key) == ("waiting", None)
    assert (await _to_citizen(web_bot))[-1] == texts.WC_HANDED_BACK_CITIZEN
    colleague = await staff_client(role="admin")
    await post_form(colleague, f"/conversations/{hid}/take", {})
    ended = await post_form(colleague, f"/conversations/{hid}/end", {}, follow=True)
    assert texts.WC_ENDED_FLASH.format(hid=hid) in await ended.text()
    handoff = await _handoff(web_bot, hid)
    assert (handoff.status, handoff.ended_by) == ("ended", "staff")
    assert texts.HO_STAFF_ENDED in (await _to_citizen(web_bot))[-1]
    data = await (await colleague.get(f"/staff/conversations/{hid}/messages.json")).json()
    assert data["status"] == "ended" and data["mine"] is False
    assert [m["text"] for m in data["messages"] if m["sender"] == "system"][-1] == texts.WC_EVENT[
        "ended_staff"
    ].format(who=texts.WC_YOU)
    again = await post_form(colleague, f"/conversations/{hid}/end", {}, follow=True)
    assert texts.HO_ENDED_ALREADY in await again.text()
    # the citizen's next message is an ordinary question again
    count = len(await _to_citizen(web_bot))
    await Chat(web_bot, user="c1").say("khai sinh")
    assert len(await _to_citizen(web_bot)) == count


async def test_call_back_done(web_bot: App, staff_client) -> None:
    async with web_bot.db.session() as db:
        row = GuideCallback(
            user_id=None, walkthrough_id="-", phone="0987654321", name="Lò Thị Sen", status="pending"
        )
        db.add(row)
        await db.commit()
        cid = row.id
    client = await staff_client(role="staff")
    done = await post_form(client, f"/conversations/callbacks/{cid}/done", {}, follow=True)
    html = await done.text()
    assert texts.WC_CALLBACK_DONE_FLASH.format(id=cid) in html and "0987654321" not in html
    async with web_bot.db.session() as db:
        stored = await db.get(GuideCallback, cid)
        assert (
            stored is not None
            and stored.status == "done"
            and stored.done_by == f"web:staff#{client.staff_id}"
        )
    missing = await post_form(client, "/conversations/callbacks/9999/done", {}, follow=True)
    assert texts.WC_CALLBACK_NOT_FOUND in await missing.text()


async def test_an_unknown_conversation_is_not_found(web_bot: App, staff_client) -> None:
    client = await staff_client(role="staff")
    assert (await client.get("/staff/conversations/424242")).status == 404
    assert (await client.get("/staff/conversations/424242/messages.json")).status == 404

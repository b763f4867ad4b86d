"""/staff/improve through the aiohttp client: groups, refusals with reasons, dismissals, audit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from handlers import texts
from handlers.messages import Incoming
from storage import kb_stamp
from storage.models import AuditLog
from storage.models_kb import KbReview
from tests.web.conftest import post_form

# written for these tests (never from shared/eval)
ASKED = ("thủ tục xin cấp phép nuôi ong trong khu dân cư", "thu tuc xin cap phep nuoi ong trong khu dan cu a")


async def _ask(bot) -> None:  # type: ignore[no-untyped-def]
    for i, text in enumerate(ASKED):
        await bot.dispatcher.handle(Incoming(channel="telegram", platform_id=str(600 + i), text=text))


def _digests(html: str) -> str:
    marker = 'name="digests" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


async def test_the_page_groups_the_questions_and_a_dismissal_hides_them(staff_client, web_bot) -> None:
    await _ask(web_bot)
    client = await staff_client(role="staff")
    html = await (await client.get("/staff/improve")).text()
    assert ASKED[0] in html and texts.IM_GROUP_COUNT.format(n=2) in html
    digests = _digests(html)
    assert len(digests.split(",")) == 2  # both wordings are one group
    stranger = await staff_client(signed_in=False)
    assert (await post_form(stranger, "/improve", {"action": "dismiss", "digests": digests})).status == 403
    no_csrf = await client.post("/staff/improve", data={"action": "dismiss", "digests": digests})
    assert no_csrf.status == 403
    done = await post_form(client, "/improve", {"action": "dismiss", "digests": digests})
    assert done.status == 303
    page = await client.get("/staff/improve")
    html = await page.text()
    assert texts.IM_DISMISSED in html and ASKED[0] not in html
    async with web_bot.db.session() as db:
        assert len((await db.scalars(select(KbReview))).all()) == 2
        assert await kb_stamp.current(db) is None  # a dismissal changes no knowledge
        actions = (await db.scalars(select(AuditLog.action))).all()
    assert "kb.dismiss" in actions


async def test_a_change_the_base_would_refuse_is_shown_with_its_reason(staff_client, web_bot) -> None:
    await _ask(web_bot)
    client = await staff_client(role="staff")
    digests = _digests(await (await client.get("/staff/improve")).text())
    alias = web_bot.knowledge.kb.topics["tam-tru"].aliases[0]
    refused = await post_form(
        client,
        "/improve",
        {"action": "example", "as": "alias", "topic_id": "tam-tru", "text": alias, "digests": digests},
    )
    assert refused.status == 400
    html = await refused.text()
    assert texts.IM_REFUSED in html and "is already in the topic" in html
    faq = await post_form(
        client,
        "/improve",
        {"action": "example", "as": "faq", "topic_id": "khai-sinh", "text": ASKED[0], "digests": digests,
         "faq_id": "nuoi-ong", "faq_answer": "Xin mời anh/chị liên hệ UBND xã.", "faq_source": "", "faq_checked": ""},
    )  # fmt: skip
    assert faq.status == 400 and "source.title" in await faq.text()
    bogus = await post_form(client, "/improve", {"action": "example", "digests": "not-a-digest"})
    assert bogus.status == 400 and texts.IM_GONE in await bogus.text()
    async with web_bot.db.session() as db:
        assert await kb_stamp.current(db) is None
        assert (await db.scalars(select(KbReview))).all() == []
    assert ASKED[0] in await (await client.get("/staff/improve?days=7")).text()  # still waiting


async def test_marking_out_of_scope_publishes_a_version(staff_client, web_bot) -> None:
    await _ask(web_bot)
    client = await staff_client(role="staff")
    digests = _digests(await (await client.get("/staff/improve")).text())
    done = await post_form(
        client, "/improve", {"action": "out_of_scope", "text": ASKED[0], "digests": digests}
    )
    assert done.status == 303
    html = await (await client.get("/staff/improve")).text()
    assert texts.IM_MARKED.format(version=1) in html
    assert texts.IM_OUT_OF_SCOPE in html and ASKED[0] in html  # listed in the overlay table
    async with web_bot.db.session() as db:
        stamp = await kb_stamp.current(db)
    assert stamp is not None and "out_of_scope" in stamp.content and stamp.updated_by.startswith("web:staff#")
    assert (web_bot.settings.data_dir / "kb_overlay.yaml").read_text(encoding="utf-8") == stamp.content
    assert dt.datetime.now(dt.UTC) - stamp.updated_at < dt.timedelta(minutes=5)

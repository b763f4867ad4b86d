# ruff: noqa: F811  (pytest fixtures imported from tests.feedback_support)
"""Personal data end to end: erasure everywhere, group chats, ratings, requests, the notices."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from sqlalchemy import func, select, text

from bot.app import App
from handlers import texts
from handlers.messages import Contact, Incoming, Photo
from storage.models import Base, ChatSession, User
from storage.models_dossiers import Dossier, DossierFollower
from storage.models_feedback import Complaint, Handoff, Rating
from storage.models_privacy import ConsentRecord, DataRequest
from tests.conftest import Chat
from tests.dossier_support import CODE as DOSSIER
from tests.dossier_support import feed
from tests.feedback_support import (  # noqa: F401  (fixtures)
    MONDAY_8PM,
    MONDAY_9AM,
    citizen,
    fb_app,
    fb_app_any,
    outbox,
    payload_text,
    staff,
)

NAME = "Nguyễn Văn An"
PHONE = "0912345678"
PHOTO = "AgACAgUAAxkBAAIBZ2photo-of-the-road"
DESCRIPTION = "Đường thôn 3 đoạn gần trường học bị ngập sâu mỗi khi mưa lớn"
RELAYED = "Cho tôi hỏi hồ sơ đất của tôi đến đâu rồi?"
QUESTION = "khai sinh"
CORRECTION = "Xin sửa địa chỉ trong phản ánh thành số 12 ngõ 5 thôn Đông"


async def _all_cells(app: App) -> list[tuple[str, str, str]]:
    """Every value of every row of every table, as text: (table, column, value)."""
    cells = []
    async with app.db.session() as db:
        for table in Base.metadata.sorted_tables:
            rows = (await db.execute(select(table))).mappings().all()
            for row in rows:
                for column, value in row.items():
                    if value is not None:
                        raw = (
                            value
                            if isinstance(value, str)
                            else json.dumps(value, default=str, ensure_ascii=False)
                        )
                        cells.append((table.name, column, raw))
    return cells


async def test_erasure_leaves_no_trace_of_the_person_in_any_table(fb_app_any: App) -> None:
    app = fb_app_any
    citizen = Chat(app, user="c1", name=NAME)
    staff = Chat(app, user="staff1", name="Cán bộ Bình")
    # a complaint with a photo and a phone
    await citizen.say("/phananh")
    await citizen.press("pa:cat:ha-tang")
    await citizen.say(DESCRIPTION)
    await citizen.send(photo=Photo(PHOTO))
    await citizen.press("pa:next")
    await citizen.press("pa:phone:yes")
    await citizen.say(PHONE)
    await citizen.press("pa:send")
    async with app.db.session() as db:
        complaint = await db.scalar(select(Complaint))
    assert complaint.photos == [PHOTO] and complaint.phone == PHONE
    code = complaint.code
    await citizen.say(QUESTION)
    # an officer, in office hours: the request and a relayed message reach staff
    await citizen.say("/gapcanbo")
    await citizen.say(RELAYED)
    async with app.db.session() as db:
        handoff = await db.scalar(select(Handoff))
    await staff.press(f"ho:take:{handoff.id}")
    await citizen.press(f"ho:end:{handoff.id}")
    # a call-back, outside office hours
    app.services.clock.now = MONDAY_8PM
    await citizen.say("/gapcanbo")
    await citizen.tap("Đồng ý")
    await citizen.send(contact=Contact(PHONE))
    # a subscription
    await citizen.say("/dangky")
    await citizen.press("s:t:chung")
    await citizen.press("s:ok")
    # a dossier of theirs (the one-stop system sent the applicant's phone): checked and followed
    await feed(
        app,
        citizen_phone=PHONE,
        procedure_name="Thủ tục đăng ký kết hôn",  # the question above is «khai sinh»
        time=(MONDAY_9AM - dt.timedelta(days=1)).isoformat(),
    )
    await citizen.say(f"/hoso {DOSSIER}")
    await citizen.tap(texts.DS_BTN_CHECK)
    await citizen.say(PHONE[-4:])
    assert texts.DS_CHECK_OK in citizen.text
    await citizen.tap(texts.DS_BTN_FOLLOW)
    # a request only staff can carry out, in the citizen's words, and its staff notice
    await citizen.say("/yeucaudulieu")
    await citizen.press("pv:r:correct")
    await citizen.say(CORRECTION)
    before = await _all_cells(app)
    for needle in (NAME, PHONE, PHOTO, RELAYED, CORRECTION):
        assert any(needle in v for _, _, v in before), needle  # all of it was stored somewhere
    assert any(t == "dossier_followers" for t, _, _ in before)
    assert any(t == "outbox" and NAME in v for t, _, v in before)  # staff notices name the citizen

    await citizen.say("/xoadulieu")
    await citizen.press("pv:yes")
    assert citizen.last[-1].text == texts.PV_ERASED

    after = await _all_cells(app)
    for needle in (NAME, PHONE, "091****678", PHOTO, RELAYED, QUESTION, CORRECTION):
        leaks = [(t, c) for t, c, v in after if needle in v and (t, c) != ("users", "channel")]
        assert leaks == [], f"{needle!r} still in {leaks}"
    async with app.db.session() as db:
        kept = await db.scalar(select(Complaint).where(Complaint.code == code))
        # the record stays, detached from the person
        assert kept.description == DESCRIPTION and kept.user_id is None and kept.photos == []
        requests = list(await db.scalars(select(DataRequest).where(DataRequest.kind == "delete")))
        assert [r.status for r in requests] == ["done"]
        assert await db.scalar(select(func.count()).select_from(ConsentRecord)) == 0
        # no longer following; the dossier itself is the one-stop system's record (its 4 digits
        # let the applicant prove it is theirs) and is linked to no one here any more
        assert await db.scalar(select(func.count()).select_from(DossierFollower)) == 0
        dossier = await db.scalar(select(Dossier))
        assert dossier.phone_tail == PHONE[-4:]
        user = await db.scalar(select(User).where(User.platform_id == "c1"))
        session = await db.get(ChatSession, user.id)
        assert "mem" not in (session.data if session else {})  # the dossiers it had proved are forgotten
    await citizen.say(f"/hoso {DOSSIER}")
    assert texts.DS_CHECK_OFFER in citizen.text  # it must prove the dossier is theirs again


async def test_personal_commands_in_a_group_answer_please_write_privately(fb_app: App) -> None:
    citizen = Chat(fb_app, user="c1", name=NAME)
    await citizen.say("/phananh")
    await citizen.press("pa:cat:ha-tang")
    await citizen.say(DESCRIPTION)
    await citizen.press("pa:next")
    await citizen.press("pa:phone:yes")
    await citizen.say(PHONE)
    in_group = Incoming("test", "c1", display_name=NAME, text="/dulieucuatoi", group="-100123")
    replies = await fb_app.dispatcher.handle(in_group)
    assert [r.text for r in replies] == [texts.PRIVATE_ONLY]
    # the complaint draft's next step is not answered in the group either
    replies = await fb_app.dispatcher.handle(Incoming("test", "c1", text=PHONE, group="-100123"))
    assert all(PHONE not in r.text and "091" not in r.text for r in replies)
    pressed = await fb_app.dispatcher.handle(Incoming("test", "c1", action="pv:ask", group="-100123"))
    assert [r.text for r in pressed] == [texts.PRIVATE_ONLY]
    # the privacy notice holds nothing personal: it is answered in the group
    notice = await fb_app.dispatcher.handle(Incoming("test", "c1", text="/quyenriengtu", group="-100123"))
    assert notice[-1].text.startswith("THÔNG BÁO VỀ XỬ LÝ DỮ LIỆU CÁ NHÂN")


async def test_only_the_citizen_of_an_ended_handoff_can_rate_it(fb_app: App, citizen: Chat) -> None:
    await citizen.say("/gapcanbo")
    async with fb_app.db.session() as db:
        handoff = await db.scalar(select(Handoff))
    await citizen.press(f"ho:end:{handoff.id}")
    stranger = Chat(fb_app, user="c9", name="Người lạ")
    await stranger.say("/start")
    await stranger.press(f"r:h:{handoff.id}:0")
    assert stranger.last[-1].text == texts.EXPIRED_BUTTON
    async with fb_app.db.session() as db:
        assert await db.scalar(select(func.count()).select_from(Rating)) == 0
    await citizen.press(f"r:h:{handoff.id}:1")
    async with fb_app.db.session() as db:
        assert (await db.scalar(select(Rating))).value == 1


async def test_first_contact_and_help_say_this_is_an_ai_assistant(fb_app: App, citizen: Chat) -> None:
    loc = fb_app.knowledge.kb.locality
    notice = texts.AI_NOTICE.format(office=loc.office_name, hotline=loc.hotline)
    await citizen.say(QUESTION)
    assert citizen.last[0].text.endswith("\n\n" + notice)
    await citizen.say(QUESTION)
    assert notice not in citizen.text  # once
    await citizen.say("/trogiup")
    assert citizen.last[0].text.startswith(notice)


async def test_privacy_notice_names_controller_basis_retention_and_rights(fb_app: App, citizen: Chat) -> None:
    await citizen.say("/start")  # the first answer also carries the AI notice
    await citizen.say("/quyenriengtu")
    loc = fb_app.knowledge.kb.locality
    r = fb_app.services.settings.retention
    assert citizen.last[-1].text == texts.PRIVACY_NOTICE.format(
        version=texts.PRIVACY_NOTICE_VERSION,
        office=loc.office_name,
        hotline=loc.hotline,
        address=loc.address,
        questions=r.question_log_days,
        sessions=r.session_days,
        complaints=r.complaint_person_days,
        phones=r.phone_days,
        photos=r.photo_days,
        outbox=r.outbox_days,
        dossiers=r.dossier_days,
        ack_days=2,
    )
    assert "phản hồi trong 2 ngày làm việc" in citizen.last[-1].text


async def test_withdrawing_consent_stops_subscriptions_and_call_backs_at_once(
    fb_app: App, citizen: Chat
) -> None:
    await citizen.say("/dangky")
    await citizen.press("s:t:chung")
    await citizen.press("s:ok")
    await citizen.say("/yeucaudulieu")
    await citizen.press("pv:r:withdraw")
    async with fb_app.db.session() as db:
        user = await db.scalar(select(User).where(User.platform_id == "c1"))
        consents = list(await db.scalars(select(ConsentRecord).order_by(ConsentRecord.id)))
        request = await db.scalar(select(DataRequest))
    assert user.subscriptions == [] and user.phone is None
    assert consents[0].granted and consents[0].text_version == texts.PRIVACY_NOTICE_VERSION
    assert {c.purpose for c in consents if not c.granted} == {"subscriptions", "callback", "complaint_phone"}
    assert (request.kind, request.status) == ("withdraw", "done")
    assert citizen.last[-1].text == texts.DSR_WITHDRAWN.format(id=request.id)


async def test_a_correction_only_staff_can_make_is_queued_with_the_decree_deadlines(
    fb_app: App, citizen: Chat
) -> None:
    await citizen.say("/yeucaudulieu")
    await citizen.press("pv:r:correct")
    await citizen.say("Tên trong phản ánh PA-2026-000001 bị sai chính tả")
    async with fb_app.db.session() as db:
        request = await db.scalar(select(DataRequest))
    assert (request.kind, request.status) == ("correct", "open")
    # received Monday 30/11 09:00: acknowledge by the end of Wednesday 2/12 (2 working days),
    # carry out within 10 days
    assert request.ack_due_at.astimezone().date().isoformat() == "2026-12-02"
    assert (request.due_at - request.received_at).days == 10
    notices = await outbox(fb_app, ref=f"yc:{request.id}")
    assert {n.platform_id for n in notices} == {"staff1", "staff2"}
    assert "sai chính tả" not in payload_text(notices[0])  # staff are told there is one, not what
    assert payload_text(notices[0]) == texts.DSR_STAFF_NOTICE.format(
        id=request.id,
        kind=texts.WEB_PV_KIND["correct"],
        ack="02/12/2026",
        due="10/12/2026",
        link=f"{fb_app.services.settings.public_url.rstrip('/')}/staff/privacy/{request.id}",
    )


async def test_schema_has_the_privacy_tables(fb_app: App) -> None:
    async with fb_app.db.session() as db:
        assert (await db.execute(text("SELECT count(*) FROM data_requests"))).scalar() == 0


async def test_a_failure_is_logged_without_the_persons_identity_or_words(
    fb_app: App, citizen: Chat, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(ctx: object, msg: object) -> list:
        raise RuntimeError("boom")

    monkeypatch.setitem(fb_app.services.router.intents, "question", broken)
    with caplog.at_level(logging.INFO):
        await citizen.say(f"Tôi là {NAME}, số {PHONE}, hỏi về khai sinh")
    assert "failed to handle a message" in caplog.text
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "test:c1" not in logged
    assert PHONE not in logged and NAME not in logged

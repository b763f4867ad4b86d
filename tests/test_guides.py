"""Step-by-step walkthroughs: every branch to its end, back/forward, stuck, resume, expiry, rating.

Walkthroughs are driven through the dispatcher exactly as a citizen would (button
presses and typed words). The clock is injected so resume and expiry run
instantly; "restart" means a second App on the same database file.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from handlers.guide import all_walkthroughs, next_call_window
from handlers.guide_tailored import build as build_tailored
from handlers.messages import Contact, Photo
from handlers.phone import normalize_phone
from knowledge.loader import KnowledgeBase
from knowledge.schema import Procedure
from knowledge.service import KnowledgeService
from knowledge.walkthrough_schema import SKILLS, Walkthrough
from storage.models_guides import GuideCallback, GuideEvent, GuideRun
from tests.conftest import Chat, make_settings

T0 = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)  # Monday 09:00 in Vietnam


class Clock:
    """A settable clock for the app's Services (resume and expiry without sleeping)."""

    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


async def make_app(tmp_path: Path, clock: Clock, **extra) -> App:
    app = await build_app(make_settings(tmp_path, **extra))
    app.services.clock = clock
    return app


_SHARED: dict[str, KnowledgeService] = {}


def bundled_kb() -> KnowledgeBase:
    if "kb" not in _SHARED:
        _SHARED["kb"] = KnowledgeService()
    return _SHARED["kb"].kb


@pytest.fixture(autouse=True)
def _shared_knowledge(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every app here reads the same bundled base: load it once (it is immutable) to keep tests fast."""
    import bot.app

    def factory(
        directory: Path | None = None,
        locality_file: Path | None = None,
        *,
        cache_dir: Path | None = None,
        overlay_file: Path | None = None,
    ) -> KnowledgeService:
        if directory is None and locality_file is None:  # these tests write no staff overlay
            bundled_kb()
            return _SHARED["kb"]
        return KnowledgeService(directory, locality_file, cache_dir=cache_dir, overlay_file=overlay_file)

    monkeypatch.setattr(bot.app, "KnowledgeService", factory)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def gapp(tmp_path: Path, clock: Clock):
    app = await make_app(tmp_path, clock)
    yield app
    await app.close()


@pytest.fixture
def gchat(gapp: App) -> Chat:
    return Chat(gapp, user="citizen")


# ---------------------------------------------------------------- helpers
Path_ = list[tuple[str, int | None]]  # (step id, choice index or None for "next")


def all_paths(w: Walkthrough) -> list[Path_]:
    """Every path from the first step to an end (the graph is acyclic)."""
    out: list[Path_] = []

    def visit(step_id: str, path: Path_) -> None:
        step = w.step(step_id)
        assert step is not None
        if step.choices:
            for i, c in enumerate(step.choices):
                visit(c.next, [*path, (step_id, i)])
        elif step.next:
            visit(step.next, [*path, (step_id, None)])
        else:
            out.append([*path, (step_id, None)])

    visit(w.first.id, [])
    return out


def start_action(w: Walkthrough) -> str:
    return f"g:submit:{w.id[4:]}" if w.id.startswith("nop:") else f"g:w:{w.id}"


async def walk(chat: Chat, w: Walkthrough, path: Path_) -> None:
    """Start the walkthrough and follow one path by pressing the buttons shown."""
    await chat.press(start_action(w))
    for k, (step_id, choice) in enumerate(path, 1):
        step = w.step(step_id)
        assert step is not None
        head = f"Bước {k}/"
        assert head in chat.text and step.title in chat.text, (w.id, step_id, chat.text)
        if k == len(path):
            assert f"Bước {k}/{k}" in chat.text, "the last step must say it is the last"
        action = f"g:c:{step_id}:{choice}" if choice is not None else f"g:n:{step_id}"
        assert action in chat.actions, (w.id, step_id, chat.actions)
        assert f"g:s:{step_id}" in chat.actions and "g:x" in chat.actions
        await chat.press(action)
    last = w.step(path[-1][0])
    assert last is not None
    if last.completes:
        assert "đã làm được chưa" in chat.text, chat.text
        assert chat.actions == ["g:y", "g:no"]
    else:
        assert "tạm dừng" in chat.text, chat.text


async def runs(app: App) -> list[GuideRun]:
    async with app.db.session() as db:
        return list(await db.scalars(select(GuideRun).order_by(GuideRun.id)))


# ---------------------------------------------------------------- the knowledge base's walkthroughs
def test_bundled_walkthroughs_cover_the_five_skills() -> None:
    kb = bundled_kb()
    walkthroughs = all_walkthroughs(kb)
    assert {w.skill for w in walkthroughs} == set(SKILLS)
    for topic_id in ("nop-truc-tuyen", "thanh-toan", "ung-dung", "nhan-ket-qua"):
        guide = kb.get(topic_id)
        assert guide is not None and guide.kind == "guide" and guide.walkthroughs, topic_id
        assert len(guide.examples) >= 5
    actions = [f"g:c:{s.id}:9" for w in walkthroughs for s in w.steps] + [
        start_action(w) for w in walkthroughs
    ]
    assert max(len(a.encode()) for a in actions) <= 64


def test_every_online_procedure_gets_a_sound_tailored_walkthrough() -> None:
    kb = bundled_kb()
    online = [p for p in kb.procedures if p.online.level != "none"]
    assert online, "the bundled knowledge base has procedures that can be done online"
    for p in online:
        w = build_tailored(kb, p)
        assert w is not None, p.id
        assert w.skill == "nop-truc-tuyen"
        ids = {s.id for s in w.steps}
        assert {"chuan-bi", "khai-to-khai", "gui-ho-so", "theo-doi"} <= ids
        assert ("thanh-toan" in ids) == bool(p.online.fee_step)
        assert len(f"g:submit:{p.id}".encode()) <= 64
        for path in all_paths(w):
            end = w.step(path[-1][0])
            assert end is not None and end.is_end
        # the problems written in the general walkthrough show in the tailored one
        assert w.step("khai-to-khai").problems  # type: ignore[union-attr]
    for p in kb.procedures:
        if p.online.level == "none":
            assert build_tailored(kb, p) is None


async def test_every_walkthrough_every_branch_to_its_end(gapp: App) -> None:
    chat = Chat(gapp, user="walker")
    for w in all_walkthroughs(gapp.knowledge.kb):
        for path in all_paths(w):
            await walk(chat, w, path)
    statuses = {r.status for r in await runs(gapp)}
    assert statuses <= {"finished", "detour"}


async def test_tailored_walkthroughs_every_shape_every_branch(gapp: App) -> None:
    """One procedure of each distinct step layout is walked on every branch."""
    kb = gapp.knowledge.kb
    shapes: dict[tuple[str, ...], Procedure] = {}
    for p in kb.procedures:
        w = build_tailored(kb, p)
        if w is not None:
            shapes.setdefault(tuple(s.id for s in w.steps), p)
    assert len(shapes) >= 2
    chat = Chat(gapp, user="tailored")
    for p in shapes.values():
        w = build_tailored(kb, p)
        assert w is not None
        for path in all_paths(w):
            await walk(chat, w, path)


# ---------------------------------------------------------------- entry points
async def test_menu_and_commands_offer_the_walkthroughs(gchat: Chat) -> None:
    await gchat.say("/start")
    await gchat.tap("Hướng dẫn từng bước")
    assert "g:w:nop-ho-so" in gchat.actions and "g:5" in gchat.actions
    await gchat.say("/huongdan")
    assert "g:w:cai-dat-vneid" in gchat.actions
    await gchat.say("/5biet")
    assert "0/5" in gchat.text and "Học tiếp" in " ".join(gchat.labels)


async def test_procedure_answer_offers_the_tailored_walkthrough(gchat: Chat) -> None:
    await gchat.press("t:tam-tru")
    assert "g:submit:tam-tru" in gchat.actions
    await gchat.tap("Hướng dẫn nộp trực tuyến")
    assert "Bước 1/" in gchat.text and "Đăng ký tạm trú" in gchat.text


async def test_free_text_request_shows_the_submit_guide(gchat: Chat) -> None:
    await gchat.say("chỉ tôi cách nộp hồ sơ online")
    assert "g:w:nop-ho-so" in gchat.actions
    await gchat.say("chi toi cach nop ho so online voi")
    assert "g:w:nop-ho-so" in gchat.actions


async def test_free_text_about_paying_is_left_to_the_matcher(gapp: App, gchat: Chat) -> None:
    await gchat.say("chỉ tôi cách nộp lệ phí online")
    assert not any(r.walkthrough_id == "nop-ho-so" for r in await runs(gapp))
    assert "Bước 1/" not in gchat.text


async def test_guide_topic_renders_its_walkthroughs(gchat: Chat) -> None:
    await gchat.press("t:thanh-toan")
    assert "g:w:thanh-toan-le-phi" in gchat.actions
    await gchat.press("t:ung-dung")
    assert {"g:w:cai-dat-vneid", "g:w:dang-nhap-dvcqg"} <= set(gchat.actions)


# ---------------------------------------------------------------- moving around
async def test_back_and_forward_and_typed_words(gchat: Chat, gapp: App) -> None:
    await gchat.press("g:w:cai-dat-vneid")
    assert "Bước 1/" in gchat.text
    await gchat.press("g:b:loai-may")
    assert "bước đầu tiên" in gchat.text
    await gchat.say("iphone")  # a typed choice
    assert "Tải VNeID trên iPhone" in gchat.text and "Bước 2/" in gchat.text
    await gchat.say("xong")
    assert "Bước 3/" in gchat.text
    await gchat.say("quay lại")
    assert "Tải VNeID trên iPhone" in gchat.text and "Bước 2/" in gchat.text
    await gchat.tap("Quay lại")
    assert "Bước 1/" in gchat.text
    await gchat.tap("Android")
    assert "Tải VNeID trên Android" in gchat.text
    # a button of an older message does not move the run
    await gchat.press("g:n:tai-iphone")
    assert "bước trước" in gchat.text and "Tải VNeID trên Android" in gchat.text
    await gchat.press("g:c:loai-may:7")
    assert "Tải VNeID trên Android" in gchat.text
    events = await _events(gapp)
    assert {"start", "view", "choice", "next", "back"} <= set(events)


async def test_a_screenshot_during_a_walkthrough_shows_the_known_problems(gchat: Chat) -> None:
    await gchat.press("g:w:thanh-toan-le-phi")
    await gchat.send(photo=Photo(ref="file-1"))
    assert "gửi ảnh" in gchat.text and "Không thấy nút thanh toán" in gchat.text


async def test_numbered_reply_presses_the_button(gchat: Chat) -> None:
    await gchat.press("g:w:dang-nhap-dvcqg")
    await gchat.say("2")  # the second button: "Trên điện thoại"
    assert "Đăng nhập trên điện thoại" in gchat.text


async def test_stuck_then_recovered_then_still_stuck_with_callback(
    gchat: Chat, gapp: App, clock: Clock
) -> None:
    await gchat.press("g:w:nop-ho-so")
    await gchat.tap("Đã có VNeID mức 2")
    await gchat.tap("Trên trang web")
    await gchat.tap("Nhập số định danh")
    await gchat.tap("Tôi bị vướng")
    assert "Không nhận được mã OTP" in gchat.text and "Quên mật khẩu VNeID" in gchat.text
    await gchat.tap("Đã ổn")
    assert "Đăng nhập bằng mật khẩu" in gchat.text
    await gchat.say("tôi bị vướng")
    await gchat.tap("Vẫn chưa được")
    loc = gapp.knowledge.kb.locality
    assert loc.hotline in gchat.text and "g:cb" in gchat.actions
    await gchat.tap("Nhờ cán bộ gọi lại")
    assert gchat.last[0].request_contact and "Xin phép" in gchat.text
    await gchat.say("tôi không biết số nào")  # not a phone number: answered as usual, no row stored
    await gchat.press("g:h:dang-nhap-mat-khau")
    await gchat.tap("Nhờ cán bộ gọi lại")
    await gchat.say("0123 456 78")
    assert "chưa đúng" in gchat.text
    await gchat.send(contact=Contact(phone="+84912345678"))
    assert "0912345678" in gchat.text and "giờ làm việc" in gchat.text
    assert "g:ok:" in " ".join(gchat.actions)
    async with gapp.db.session() as db:
        rows = list(await db.scalars(select(GuideCallback)))
    assert len(rows) == 1 and rows[0].phone == "0912345678" and rows[0].walkthrough_id == "nop-ho-so"
    assert rows[0].step_id == "dang-nhap-mat-khau" and rows[0].status == "pending"
    # the walkthrough goes on where it was
    await gchat.tap("Quay lại bước đang làm")
    assert "Đăng nhập bằng mật khẩu" in gchat.text


async def test_callback_declined_and_typed_number(gchat: Chat, gapp: App, clock: Clock) -> None:
    clock.now = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)  # Friday 19:00 local: office closed
    await gchat.press("g:w:thanh-toan-le-phi")
    await gchat.press("g:h:mo-thanh-toan")
    await gchat.tap("Nhờ cán bộ gọi lại")
    await gchat.tap("Không, cảm ơn")
    assert "không lưu" in gchat.text
    await gchat.press("g:cb")
    await gchat.say("091 234 5678")
    assert "07:30 Thứ Hai ngày 07/12/2026" in gchat.text


async def test_stop_and_start_another(gchat: Chat, gapp: App) -> None:
    await gchat.press("g:w:cai-dat-vneid")
    await gchat.press("g:w:thanh-toan-le-phi")
    assert "đã dừng hướng dẫn «Cài đặt và kích hoạt VNeID»" in gchat.text
    await gchat.press("g:x")
    assert "đã dừng" in gchat.text
    await gchat.press("g:n:mo-thanh-toan")
    assert "đã kết thúc hoặc đã hết hạn" in gchat.text
    assert [r.status for r in await runs(gapp)] == ["stopped", "stopped"]


# ---------------------------------------------------------------- resume, restart, expiry
async def test_resume_after_a_restart_of_the_bot(tmp_path: Path, clock: Clock) -> None:
    app = await make_app(tmp_path, clock)
    chat = Chat(app, user="returning")
    await chat.press("g:w:nop-ho-so")
    await chat.tap("Đã có VNeID mức 2")
    await chat.tap("Trên trang web")
    assert "Bước 3/" in chat.text
    await app.close()

    clock.advance(hours=30)
    app2 = await make_app(tmp_path, clock)
    try:
        chat2 = Chat(app2, user="returning")
        await chat2.say("xin chào")
        assert "làm dở" in chat2.text and "bước 3/" in chat2.text
        assert chat2.actions == ["g:cont", "g:r", "g:x"]
        await chat2.tap("Làm tiếp")
        assert "Bước 3/" in chat2.text and "Đăng nhập Cổng Dịch vụ công" in chat2.text
        # the prompt is shown once per absence
        await chat2.say("xin chào")
        assert "làm dở" not in chat2.text
    finally:
        await app2.close()


async def test_resume_prompt_follows_the_answer_to_a_question(gchat: Chat, gapp: App, clock: Clock) -> None:
    await gchat.press("g:w:tra-cuu-ket-qua")
    await gchat.say("/menu")  # leaves the flow; the run stays
    clock.advance(hours=5)
    await gchat.say("làm giấy khai sinh cho con")
    assert "làm dở" in gchat.last[-1].text
    assert len(gchat.last) >= 2, "the question is answered too"
    await gchat.say("có")
    assert "Bước 1/" in gchat.text and "Tìm mã hồ sơ" in gchat.text


async def test_no_prompt_before_the_configured_hours(gchat: Chat, clock: Clock) -> None:
    await gchat.press("g:w:tra-cuu-ket-qua")
    clock.advance(hours=2)
    await gchat.say("xin chào")
    assert "làm dở" not in gchat.text


async def test_restart_from_the_prompt(gchat: Chat, clock: Clock) -> None:
    await gchat.press("g:w:cai-dat-vneid")
    await gchat.tap("iPhone")
    clock.advance(days=2)
    await gchat.say("chào bạn")
    await gchat.tap("Làm lại từ đầu")
    assert "Bước 1/" in gchat.text and "Điện thoại của anh/chị" in gchat.text


async def test_expiry_is_polite_and_recorded(gchat: Chat, gapp: App, clock: Clock) -> None:
    await gchat.press("g:w:thanh-toan-le-phi")
    clock.advance(days=gapp.settings.guide_expiry_days, minutes=1)
    await gchat.say("xin chào")
    assert "quá 14 ngày" in gchat.text and "g:w:thanh-toan-le-phi" in gchat.actions
    assert [r.status for r in await runs(gapp)] == ["expired"]
    await gchat.say("xin chào")
    assert "quá 14 ngày" not in gchat.text


async def test_expired_button_press(gchat: Chat, gapp: App, clock: Clock) -> None:
    await gchat.press("g:w:thanh-toan-le-phi")
    clock.advance(days=20)
    await gchat.press("g:n:mo-thanh-toan")
    assert "quá 14 ngày" in gchat.text


async def test_walkthrough_edited_under_a_run_restarts_politely(gchat: Chat, gapp: App) -> None:
    await gchat.press("g:w:cai-dat-vneid")
    await gchat.tap("Android")
    async with gapp.db.session() as db:
        run = (await db.scalars(select(GuideRun))).one()
        run.step_id = "buoc-da-xoa"
        await db.commit()
    await gchat.press("g:n:buoc-da-xoa")
    assert "vừa được cán bộ cập nhật" in gchat.text and "Bước 1/" in gchat.text


# ---------------------------------------------------------------- the end: done? rating, comment, help
async def test_finish_yes_rating_and_comment(gchat: Chat, gapp: App) -> None:
    w = next(w for w in all_walkthroughs(gapp.knowledge.kb) if w.id == "gui-phan-anh-cong")
    await walk(gchat, w, all_paths(w)[0])
    await gchat.tap("Đã làm được")
    assert gchat.labels == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    await gchat.tap("Rất hài lòng")
    assert "góp ý" in gchat.text
    await gchat.say("Hướng dẫn dễ hiểu, cảm ơn")
    assert "Xin cảm ơn" in gchat.text and "Học tiếp" in " ".join(gchat.labels)
    (run,) = await runs(gapp)
    assert (run.status, run.outcome, run.rating, run.comment) == (
        "finished",
        "yes",
        "very_satisfied",
        "Hướng dẫn dễ hiểu, cảm ơn",
    )
    await gchat.say("/5biet")
    assert "✅ 3." in gchat.text and "1/5" in gchat.text
    assert "đã làm xong: Gửi phản ánh, kiến nghị trên Cổng Dịch vụ công" in gchat.text


async def test_finish_no_leads_to_help(gchat: Chat, gapp: App) -> None:
    w = next(w for w in all_walkthroughs(gapp.knowledge.kb) if w.id == "dang-nhap-dvcqg")
    await walk(gchat, w, all_paths(w)[0])
    await gchat.say("chưa")
    assert "g:cb" in gchat.actions and "g:w:dang-nhap-dvcqg" in gchat.actions
    (run,) = await runs(gapp)
    assert run.outcome == "no"


async def test_skip_comment(gchat: Chat, gapp: App) -> None:
    w = next(w for w in all_walkthroughs(gapp.knowledge.kb) if w.id == "dang-nhap-dvcqg")
    await walk(gchat, w, all_paths(w)[1])
    await gchat.say("rồi")
    await gchat.say("hài lòng")
    await gchat.tap("Bỏ qua")
    (run,) = await runs(gapp)
    assert run.rating == "satisfied" and run.comment is None


async def test_five_skills_progress_and_active_run(gchat: Chat, gapp: App) -> None:
    await gchat.press("g:w:thanh-toan-le-phi")
    await gchat.say("/5biet")
    assert "⏳ 2." in gchat.text and "g:cont" in gchat.actions


# ---------------------------------------------------------------- staff funnel
async def test_funnel_counts_starts_finishes_and_stops(gapp: App) -> None:
    from handlers.guide import funnel_text
    from storage.guides import funnel

    kb = gapp.knowledge.kb
    w = next(w for w in all_walkthroughs(kb) if w.id == "dang-nhap-dvcqg")
    await walk(Chat(gapp, user="a"), w, all_paths(w)[0])
    b = Chat(gapp, user="b")
    await b.press("g:w:dang-nhap-dvcqg")
    await b.tap("Trên điện thoại")
    c = Chat(gapp, user="c")
    await c.press("g:w:dang-nhap-dvcqg")
    await c.tap("Trên điện thoại")
    await c.press("g:x")
    async with gapp.db.session() as db:
        skills = await funnel(db)
    sf = skills["ung-dung"]
    assert (sf.started, sf.finished) == (3, 1)
    assert sf.top_stop() == ("dang-nhap-dvcqg", "dien-thoai", 2)
    assert sf.walkthroughs["dang-nhap-dvcqg"].reached["thiet-bi"] == 3
    text = funnel_text(kb, skills, 0)
    assert "3 người bắt đầu, 1 người làm xong" in text and "Đăng nhập trên điện thoại" in text


async def test_erasing_a_citizen_removes_their_guide_data(gapp: App, gchat: Chat) -> None:
    from storage.guides import erase_user

    await gchat.press("g:w:thanh-toan-le-phi")
    await gchat.press("g:cb")
    await gchat.say("0912345678")
    (run,) = await runs(gapp)
    async with gapp.db.session() as db:
        await erase_user(db, run.user_id)
        await db.commit()
        for model in (GuideRun, GuideEvent, GuideCallback):
            assert await db.scalar(select(func.count()).select_from(model)) == 0


async def test_staff_funnel_command_is_staff_only(tmp_path: Path, clock: Clock) -> None:
    app = await make_app(tmp_path, clock, staff="test:officer=staff")
    try:
        citizen = Chat(app, user="someone")
        await citizen.say("/thongkehuongdan")
        assert "chỉ dành cho cán bộ" in citizen.text
        officer = Chat(app, user="officer")
        await officer.say("/thongkehuongdan")
        assert "Thống kê hướng dẫn" in officer.text
        await officer.say("/goilai")
        assert "Không có yêu cầu" in officer.text
        await citizen.press("g:w:nop-ho-so")
        await citizen.press("g:cb")
        await citizen.say("0912 345 678")
        await citizen.press("g:cbd:1")  # a forged staff button from a citizen
        assert "chỉ dành cho cán bộ" in citizen.text
        await officer.say("/goilai")
        assert "#1 · 0912345678" in officer.text and "Nộp hồ sơ trực tuyến (bước chuan-bi)" in officer.text
        await officer.tap("Đã gọi #1")
        assert "đã được gọi lại" in officer.text and "Không có yêu cầu" in officer.text
    finally:
        await app.close()


# ---------------------------------------------------------------- small pieces
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("02213 456 789", "02213456789"),
        ("0123456789", None),
        ("091234567", None),
        ("abc", None),
        ("", None),
    ],
)
def test_normalize_phone(raw: str, expected: str | None) -> None:
    assert normalize_phone(raw) == expected


def test_next_call_window_respects_hours_weekends_and_holidays() -> None:
    from zoneinfo import ZoneInfo

    loc = bundled_kb().locality
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    inside = dt.datetime(2026, 11, 30, 9, 0, tzinfo=tz)
    assert next_call_window(loc, inside) == (inside, True)
    late = dt.datetime(2026, 11, 30, 16, 45, tzinfo=tz)
    assert next_call_window(loc, late) == (dt.datetime(2026, 12, 1, 7, 30, tzinfo=tz), False)
    lunch = dt.datetime(2026, 11, 30, 12, 0, tzinfo=tz)
    assert next_call_window(loc, lunch) == (dt.datetime(2026, 11, 30, 13, 30, tzinfo=tz), False)
    saturday = dt.datetime(2026, 12, 5, 10, 0, tzinfo=tz)
    assert next_call_window(loc, saturday)[0] == dt.datetime(2026, 12, 7, 7, 30, tzinfo=tz)
    holiday = loc.model_copy(update={"holidays": [dt.date(2026, 12, 7)]})
    assert next_call_window(holiday, saturday)[0] == dt.datetime(2026, 12, 8, 7, 30, tzinfo=tz)


def test_resume_hours_setting_is_validated(tmp_path: Path) -> None:
    from bot.config import ConfigError, Settings

    with pytest.raises(ConfigError, match="MOTCUA_GUIDE_RESUME_AFTER_HOURS"):
        Settings.from_env({"MOTCUA_GUIDE_RESUME_AFTER_HOURS": "0", "MOTCUA_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError, match="MOTCUA_GUIDE_RESUME_AFTER_HOURS"):
        Settings.from_env(
            {
                "MOTCUA_GUIDE_EXPIRY_DAYS": "1",
                "MOTCUA_GUIDE_RESUME_AFTER_HOURS": "48",
                "MOTCUA_DATA_DIR": str(tmp_path),
            }
        )
    s = Settings.from_env({"MOTCUA_GUIDE_RESUME_AFTER_HOURS": "6", "MOTCUA_DATA_DIR": str(tmp_path)})
    assert s.guide_resume_after_hours == 6


async def _events(app: App) -> list[str]:
    async with app.db.session() as db:
        return list(await db.scalars(select(GuideEvent.event)))


async def test_guide_tables_work_on_each_database(db_url: str, tmp_path: Path, clock: Clock) -> None:
    app = await build_app(make_settings(tmp_path, database_url=db_url))
    app.services.clock = clock
    try:
        chat = Chat(app, user="pg")
        await chat.press("g:w:cai-dat-vneid")
        await chat.tap("Android")
        await chat.press("g:cb")
        await chat.say("0912345678")
        clock.advance(days=1)
        await chat.say("xin chào")
        assert "làm dở" in chat.text
        async with app.db.session() as db:
            assert await db.scalar(select(func.count()).select_from(GuideEvent)) >= 4
            assert await db.scalar(select(func.count()).select_from(GuideCallback)) == 1
    finally:
        await app.close()


def test_cli_funnel_callbacks_and_done(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from bot.cli import main

    url = f"sqlite+aiosqlite:///{tmp_path / 'motcua.db'}"

    async def seed() -> None:
        app = await build_app(make_settings(tmp_path, database_url=url))
        app.services.clock = clock
        try:
            chat = Chat(app, user="cli")
            await chat.press("g:w:cai-dat-vneid")
            await chat.tap("iPhone")
            await chat.press("g:cb")
            await chat.say("0987654321")
        finally:
            await app.close()

    asyncio.run(seed())
    for name in [k for k in os.environ if k.startswith("MOTCUA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", url)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, _ = run("guides", "funnel")
    assert code == 0 and "1 người bắt đầu, 0 người làm xong" in out and "Tải VNeID trên iPhone" in out
    code, out, _ = run("guides", "funnel", "--walkthrough", "cai-dat-vneid", "--days", "30")
    assert "tai-iphone\t1\t1\t" in out
    assert "#1\tpending\t0987654321" in run("guides", "callbacks")[1]
    assert run("guides", "done", "1", "--by", "telegram:42")[0] == 0
    assert "no pending" in run("guides", "callbacks")[1]
    code, _, err = run("guides", "done", "99")
    assert code == 2 and "no call-back request #99" in err
    assert "nop-ho-so\tnop-truc-tuyen" in run("guides", "list")[1]
    assert "no walkthrough 'zzz'" in run("guides", "funnel", "--walkthrough", "zzz")[2]

"""The walkthroughs' prompts: the reply vocabulary at each one, the flow's fallbacks, the codecs.

Every prompt that waits for a typed answer is driven with the ways people
answer in chat («đc», «ko dc», «k», «ừ», «dạ»…), with and without diacritics;
«hủy», «thôi» and /huy cancel with the confirmation of what was cancelled.
Assertions read stored rows, the flow's state and texts constants.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

import tests.test_guides as tg
from bot.app import App
from handlers import texts
from handlers.buttons import CallbackDone, SubmitGuide
from handlers.guide_actions import ChooseOption, NextStep, RateGuide, StartWalkthrough, StopGuide
from handlers.guide_flow import FLOW, Wait
from handlers.guide_view import all_walkthroughs
from storage.models import ChatSession, User
from storage.models_guides import GuideCallback, GuideEvent, GuideRun
from tests.conftest import Chat

YES_WORDS = ["được", "Được", "đc", "dc", "duoc", "ok", "oke", "OK", "uh", "ừ", "ừm", "um", "vâng", "vang",
             "dạ", "da", "rồi", "roi", "xong", "xong rồi", "có", "dạ được ạ"]  # fmt: skip
NO_WORDS = ["ko được", "ko dc", "k", "kh", "hok", "hông", "hong", "chưa", "chua", "không", "khong",
            "không được", "khong duoc", "chưa được", "k dc"]  # fmt: skip
CANCEL_WORDS = ["/huy", "hủy", "huy", "thôi", "thoi", "Thôi ạ"]


@pytest.fixture(autouse=True)
def _shared_knowledge(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.app

    def factory(directory=None, locality_file=None, *, cache_dir=None, overlay_file=None):  # type: ignore[no-untyped-def]
        if directory is None and locality_file is None:  # these tests write no staff overlay
            tg.bundled_kb()
            return tg._SHARED["kb"]
        return tg.KnowledgeService(directory, locality_file, cache_dir=cache_dir, overlay_file=overlay_file)

    monkeypatch.setattr(bot.app, "KnowledgeService", factory)


@pytest.fixture
def clock() -> tg.Clock:
    return tg.Clock()


@pytest.fixture
async def gapp(tmp_path: Path, clock: tg.Clock):
    app = await tg.make_app(tmp_path, clock)
    yield app
    await app.close()


# ---------------------------------------------------------------- helpers
async def waiting(app: App, user: str) -> Wait | None:
    """The state the guide flow waits in for `user`, or None when it is not active."""
    async with app.db.session() as db:
        session = await db.scalar(
            select(ChatSession).join(User, User.id == ChatSession.user_id).where(User.platform_id == user)
        )
    if session is None or session.flow != FLOW.name:
        return None
    return Wait((session.data.get("flow") or {})["state"])


async def run_of(app: App, user: str) -> GuideRun:
    async with app.db.session() as db:
        return (
            await db.scalars(
                select(GuideRun).join(User, User.id == GuideRun.user_id).where(User.platform_id == user)
            )
        ).one()


async def events_of(app: App, user: str) -> list[str]:
    async with app.db.session() as db:
        return list(
            await db.scalars(
                select(GuideEvent.event)
                .join(GuideRun, GuideRun.id == GuideEvent.run_id)
                .join(User, User.id == GuideRun.user_id)
                .where(User.platform_id == user)
                .order_by(GuideEvent.id)
            )
        )


async def callbacks(app: App) -> list[GuideCallback]:
    async with app.db.session() as db:
        return list(await db.scalars(select(GuideCallback)))


def short_walkthrough(app: App):  # type: ignore[no-untyped-def]
    return next(w for w in all_walkthroughs(app.knowledge.kb) if w.id == "dang-nhap-dvcqg")


def payment_walkthrough(app: App):  # type: ignore[no-untyped-def]
    return next(w for w in all_walkthroughs(app.knowledge.kb) if w.id == "thanh-toan-le-phi")


async def at_done_prompt(app: App, user: str) -> Chat:
    chat = Chat(app, user=user)
    w = short_walkthrough(app)
    await tg.walk(chat, w, tg.all_paths(w)[0])
    assert await waiting(app, user) is Wait.DONE
    return chat


async def at_step(app: App, user: str) -> Chat:
    chat = Chat(app, user=user)
    await chat.press(StartWalkthrough("thanh-toan-le-phi").pack())
    assert await waiting(app, user) is Wait.WALKING
    return chat


# ---------------------------------------------------------------- «đã làm được chưa?»
async def test_done_prompt_understands_every_yes_word(gapp: App) -> None:
    for i, word in enumerate(YES_WORDS):
        chat = await at_done_prompt(gapp, f"yes{i}")
        await chat.say(word)
        assert chat.last[0].text == texts.GUIDE_RATE_ASK, word
        assert (await run_of(gapp, f"yes{i}")).outcome == "yes", word
        assert await waiting(gapp, f"yes{i}") is Wait.RATE, word


async def test_done_prompt_understands_every_no_word(gapp: App) -> None:
    for i, word in enumerate(NO_WORDS):
        chat = await at_done_prompt(gapp, f"no{i}")
        await chat.say(word)
        assert chat.last[0].text == texts.GUIDE_NOT_DONE, word
        assert (await run_of(gapp, f"no{i}")).outcome == "no", word
        assert await waiting(gapp, f"no{i}") is None, word


async def test_a_sentence_at_the_done_prompt_is_a_question(gapp: App) -> None:
    chat = await at_done_prompt(gapp, "asker")
    await chat.say("làm giấy khai sinh cho con cần gì")
    assert (await run_of(gapp, "asker")).outcome is None
    assert await waiting(gapp, "asker") is None
    assert chat.last[0].text != texts.GUIDE_RATE_ASK


async def test_cancel_at_the_done_and_rating_prompts(gapp: App) -> None:
    title = short_walkthrough(gapp).title
    for i, word in enumerate(CANCEL_WORDS):
        chat = await at_done_prompt(gapp, f"cd{i}")
        await chat.say(word)
        assert chat.text == texts.GUIDE_RATING_CANCELLED.format(title=title), word
        assert await waiting(gapp, f"cd{i}") is None
        assert (await run_of(gapp, f"cd{i}")).outcome is None
        chat = await at_done_prompt(gapp, f"cr{i}")
        await chat.tap("Đã làm được")
        assert await waiting(gapp, f"cr{i}") is Wait.RATE
        await chat.say(word)
        assert chat.text == texts.GUIDE_RATING_CANCELLED.format(title=title), word
        run = await run_of(gapp, f"cr{i}")
        assert (run.outcome, run.rating) == ("yes", None)
        assert await waiting(gapp, f"cr{i}") is None


# ---------------------------------------------------------------- the comment
async def at_comment_prompt(app: App, user: str) -> Chat:
    chat = await at_done_prompt(app, user)
    await chat.say("đc")
    await chat.say("rất hài lòng")
    assert await waiting(app, user) is Wait.COMMENT
    return chat


@pytest.mark.parametrize("word", ["bỏ qua", "bo qua", "không", "khong", "k", "ko", "kh", "ok", "xong"])
async def test_comment_prompt_skip_words(gapp: App, word: str) -> None:
    chat = await at_comment_prompt(gapp, "c")
    await chat.say(word)
    assert chat.last[0].text.split("\n")[0] == texts.GUIDE_THANKS_NO_COMMENT
    run = await run_of(gapp, "c")
    assert (run.rating, run.comment) == ("very_satisfied", None)
    assert await waiting(gapp, "c") is None


@pytest.mark.parametrize("word", CANCEL_WORDS)
async def test_cancel_at_the_comment_prompt_keeps_the_rating(gapp: App, word: str) -> None:
    chat = await at_comment_prompt(gapp, "c")
    await chat.say(word)
    assert chat.text == texts.GUIDE_COMMENT_CANCELLED
    run = await run_of(gapp, "c")
    assert (run.rating, run.comment) == ("very_satisfied", None)
    assert await waiting(gapp, "c") is None


async def test_a_comment_is_stored(gapp: App) -> None:
    chat = await at_comment_prompt(gapp, "c")
    await chat.say("Không có gì để chê, rất dễ làm theo")
    assert chat.last[0].text.split("\n")[0] == texts.GUIDE_THANKS
    assert (await run_of(gapp, "c")).comment == "Không có gì để chê, rất dễ làm theo"


# ---------------------------------------------------------------- at a step
@pytest.mark.parametrize(
    "word", ["xong", "Xong.", "xong rồi", "xong roi", "tiếp", "tiep tuc", "ok", "oke", "được", "đc", "dc",
             "rồi", "ừ", "vâng", "dạ", "bỏ qua"],
)  # fmt: skip
async def test_done_words_at_a_step_go_on(gapp: App, word: str) -> None:
    chat = await at_step(gapp, "w")
    await chat.say(word)
    assert (await run_of(gapp, "w")).history == ["mo-thanh-toan"]
    assert await waiting(gapp, "w") is Wait.WALKING


@pytest.mark.parametrize("word", ["quay lại", "quay lai", "trở lại", "lùi", "back"])
async def test_back_words_at_a_step(gapp: App, word: str) -> None:
    chat = await at_step(gapp, "w")
    await chat.press(NextStep("mo-thanh-toan").pack())
    await chat.say(word)
    run = await run_of(gapp, "w")
    assert (run.step_id, run.history) == ("mo-thanh-toan", [])


@pytest.mark.parametrize(
    "word",
    ["không được", "khong duoc", "ko dc", "k được", "chưa được", "hông được", "bị lỗi", "tôi bị vướng"],
)
async def test_not_working_words_at_a_step_show_the_problems(gapp: App, word: str) -> None:
    w = payment_walkthrough(gapp)
    chat = await at_step(gapp, "w")
    await chat.say(word)
    header = texts.GUIDE_PROBLEMS_HEADER.format(step=w.first.title)
    assert chat.last[0].text.split("\n\n")[0] == header
    assert (await events_of(gapp, "w"))[-1] == "stuck"
    assert (await run_of(gapp, "w")).history == []


@pytest.mark.parametrize("word", CANCEL_WORDS)
async def test_cancel_at_a_step_stops_the_walkthrough(gapp: App, word: str) -> None:
    chat = await at_step(gapp, "w")
    await chat.say(word)
    assert chat.text == texts.GUIDE_STOPPED.format(title=payment_walkthrough(gapp).title)
    assert (await run_of(gapp, "w")).status == "stopped"
    assert await waiting(gapp, "w") is None


@pytest.mark.parametrize("command", ["/menu", "/start"])
async def test_menu_and_start_leave_the_walkthrough_for_later(gapp: App, command: str) -> None:
    chat = await at_step(gapp, "w")
    await chat.press(NextStep("mo-thanh-toan").pack())
    await chat.say(command)
    assert await waiting(gapp, "w") is None
    run = await run_of(gapp, "w")
    assert run.status == "active" and run.history == ["mo-thanh-toan"]
    await chat.tap("Hướng dẫn từng bước")
    await chat.tap("Làm tiếp")
    assert await waiting(gapp, "w") is Wait.WALKING
    assert (await run_of(gapp, "w")).step_id == run.step_id


# ---------------------------------------------------------------- the resume prompt
async def at_resume_prompt(app: App, clock: tg.Clock, user: str) -> Chat:
    chat = await at_step(app, user)
    clock.advance(hours=app.settings.guide_resume_after_hours, minutes=1)
    await chat.say("xin chào")
    assert await waiting(app, user) is Wait.RESUME
    return chat


async def test_resume_prompt_words(gapp: App, clock: tg.Clock) -> None:
    for i, word in enumerate(["có", "co", "ừ", "đc", "ok", "vâng", "dạ", "rồi", "xong"]):
        chat = await at_resume_prompt(gapp, clock, f"ry{i}")
        await chat.say(word)
        assert (await events_of(gapp, f"ry{i}"))[-2:] == ["resume", "view"], word
        assert await waiting(gapp, f"ry{i}") is Wait.WALKING
    for i, word in enumerate(["không", "khong", "k", "ko", "hok", "hông", "chưa", *CANCEL_WORDS]):
        chat = await at_resume_prompt(gapp, clock, f"rn{i}")
        await chat.say(word)
        assert chat.text == texts.GUIDE_STOPPED.format(title=payment_walkthrough(gapp).title), word
        assert (await run_of(gapp, f"rn{i}")).status == "stopped", word
        assert await waiting(gapp, f"rn{i}") is None


# ---------------------------------------------------------------- the phone prompt
@pytest.mark.parametrize("word", ["không", "khong", "k", "ko", "hok", "bỏ qua", *CANCEL_WORDS])
async def test_phone_prompt_declined_or_cancelled(gapp: App, word: str) -> None:
    chat = await at_step(gapp, "p")
    await chat.press("g:cb")
    assert await waiting(gapp, "p") is Wait.PHONE
    await chat.say(word)
    assert chat.text == texts.GUIDE_CALLBACK_DECLINED
    assert await callbacks(gapp) == []
    assert "callback_no" in await events_of(gapp, "p")
    assert await waiting(gapp, "p") is Wait.WALKING  # back to the step under way


async def test_phone_prompt_takes_a_number(gapp: App) -> None:
    chat = await at_step(gapp, "p")
    await chat.press("g:cb")
    await chat.say("+84 912.345.678")
    (row,) = await callbacks(gapp)
    assert (row.phone, row.walkthrough_id, row.step_id) == (
        "0912345678",
        "thanh-toan-le-phi",
        "mo-thanh-toan",
    )


# ---------------------------------------------------------------- buttons
def test_codecs_keep_the_old_action_strings() -> None:
    assert StartWalkthrough("cai-dat-vneid").pack() == "g:w:cai-dat-vneid"
    assert NextStep("loai-may").pack() == "g:n:loai-may"
    assert ChooseOption("loai-may", 1).pack() == "g:c:loai-may:1"
    assert RateGuide("3").pack() == "g:rt:3"
    assert StopGuide().pack() == "g:x"
    assert SubmitGuide("tam-tru").pack() == "g:submit:tam-tru"
    assert CallbackDone(7).pack() == "g:cbd:7"
    assert ChooseOption.unpack("g:c:loai-may:1") == ChooseOption("loai-may", 1)


@pytest.mark.parametrize(
    "data",
    ["g:c:loai-may:x", "g:c:loai-may", "g:n:a:b", "g:n:bad step", "g:cbd:abc", "g:cbd:-1", "g:rt:4",
     "g:w:nop:tam-tru", "g:x:1", "g:zz", "g"],
)  # fmt: skip
async def test_forged_or_malformed_buttons_are_refused(gapp: App, data: str) -> None:
    chat = await at_step(gapp, "f")
    await chat.press(data)
    assert chat.text == texts.EXPIRED_BUTTON
    run = await run_of(gapp, "f")
    assert (run.status, run.history) == ("active", [])

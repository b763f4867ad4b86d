"""The ownership check's lock per dossier: wrong tries from many chat accounts, counted in the database.

The per-account lock (tests/test_dossiers_chat.py) lives in each account's session;
these tests show that accounts cannot share out the guesses, that two workers (two
Apps on one database) count together, and that the window and the lock expire.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from handlers import texts
from handlers.dossier_view import local_time
from handlers.dossiers import DOSSIER_LOCK, DOSSIER_MAX_FAILS, DOSSIER_WINDOW, MAX_ATTEMPTS
from storage.models_dossiers import Dossier
from tests.conftest import Chat, make_settings
from tests.dossier_support import CODE, feed

DETAILS = texts.DS_PROCEDURE.format(name="Thủ tục đăng ký khai sinh")


@pytest.fixture
async def workers(tmp_path: Path, db_url: str) -> AsyncIterator[tuple[App, App]]:
    """Two bot workers on one database, as behind a load balancer."""
    settings = make_settings(tmp_path, database_url=db_url)
    first = await build_app(settings)
    second = await build_app(settings)
    start = dt.datetime.now(dt.UTC)
    for app in (first, second):
        app.services.clock = lambda: start
    yield first, second
    await second.close()
    await first.close()


def set_clock(apps: tuple[App, App], moment: dt.datetime) -> None:
    for app in apps:
        app.services.clock = lambda: moment


async def wrong_tries(chat: Chat, n: int) -> None:
    await chat.say(f"/hoso {CODE}")
    await chat.tap(texts.DS_BTN_CHECK)
    for _ in range(n):
        await chat.say("0000")


async def stored(app: App) -> Dossier:
    async with app.db.session() as db:
        dossier = await db.scalar(select(Dossier).where(Dossier.code == CODE))
    assert dossier is not None
    return dossier


def locked_text(app: App, until: dt.datetime) -> str:
    loc = app.knowledge.kb.locality
    return texts.DS_CHECK_DOSSIER_LOCKED.format(
        code=CODE, until=local_time(until, app.settings.timezone), office=loc.office_name, hotline=loc.hotline
    )


async def test_tries_from_many_accounts_on_two_workers_lock_the_dossier(workers: tuple[App, App]) -> None:
    first, second = workers
    now = first.services.clock()
    await feed(first)
    owner = Chat(first, user="owner")
    await owner.say(f"/hoso {CODE}")
    await owner.tap(texts.DS_BTN_CHECK)
    await owner.say("5678")
    assert DETAILS in owner.text  # proved before anyone guessed
    done = 0
    accounts = 0
    while done + MAX_ATTEMPTS < DOSSIER_MAX_FAILS:  # each account stops at its own lock
        chat = Chat(first if accounts % 2 == 0 else second, user=f"guesser{accounts}")
        await wrong_tries(chat, MAX_ATTEMPTS)
        assert texts.DS_CHECK_LOCKED.split("{")[0] in chat.text  # that account is locked
        done += MAX_ATTEMPTS
        accounts += 1
    assert (await stored(first)).check_fails == done
    last = Chat(second, user="last-guesser")
    await wrong_tries(last, DOSSIER_MAX_FAILS - done)
    until = now + DOSSIER_LOCK
    assert last.text == locked_text(second, until)
    row = await stored(first)
    assert row.check_locked_until == until and row.check_fails == 0
    fresh = Chat(first, user="fresh")  # a new account on the other worker is refused at once
    await fresh.say(f"/hoso {CODE}")
    await fresh.tap(texts.DS_BTN_CHECK)
    assert fresh.text == locked_text(first, until)
    await fresh.say("5678")
    assert DETAILS not in fresh.text  # the right digits were not even asked for
    await owner.say(f"/hoso {CODE}")
    assert DETAILS in owner.text  # who proved it before keeps the details


async def test_a_check_in_progress_stops_when_others_locked_the_dossier(workers: tuple[App, App]) -> None:
    first, second = workers
    await feed(first)
    waiting = Chat(first, user="waiting")
    await waiting.say(f"/hoso {CODE}")
    await waiting.tap(texts.DS_BTN_CHECK)  # asked for the digits before the lock
    for n in range(0, DOSSIER_MAX_FAILS, MAX_ATTEMPTS):
        await wrong_tries(Chat(second, user=f"g{n}"), min(MAX_ATTEMPTS, DOSSIER_MAX_FAILS - n))
    await waiting.say("5678")
    assert waiting.text == locked_text(first, first.services.clock() + DOSSIER_LOCK)
    assert DETAILS not in waiting.text


async def test_old_tries_fall_out_of_the_window_and_the_lock_ends(workers: tuple[App, App]) -> None:
    first, second = workers
    start = first.services.clock()
    await feed(first)
    for n in range(0, DOSSIER_MAX_FAILS - 1, MAX_ATTEMPTS):
        await wrong_tries(Chat(first, user=f"early{n}"), min(MAX_ATTEMPTS, DOSSIER_MAX_FAILS - 1 - n))
    assert (await stored(first)).check_fails == DOSSIER_MAX_FAILS - 1
    set_clock(workers, start + DOSSIER_WINDOW + dt.timedelta(minutes=1))
    late = Chat(second, user="late")
    await wrong_tries(late, 1)
    assert late.text == texts.DS_CHECK_WRONG.format(left=MAX_ATTEMPTS - 1)  # a new window: 1 try
    row = await stored(first)
    assert row.check_fails == 1 and row.check_locked_until is None
    for n in range(0, DOSSIER_MAX_FAILS - 1, MAX_ATTEMPTS):
        await wrong_tries(Chat(first, user=f"again{n}"), min(MAX_ATTEMPTS, DOSSIER_MAX_FAILS - 1 - n))
    locked_at = first.services.clock()
    assert (await stored(first)).check_locked_until == locked_at + DOSSIER_LOCK
    set_clock(workers, locked_at + DOSSIER_LOCK + dt.timedelta(minutes=1))
    owner = Chat(second, user="owner-after")
    await owner.say(f"/hoso {CODE}")
    await owner.tap(texts.DS_BTN_CHECK)
    assert owner.text == texts.DS_CHECK_ASK.format(code=CODE)
    await owner.say("5678")
    assert DETAILS in owner.text
    row = await stored(first)
    assert row.check_fails == 0 and row.check_window_at is None  # the owner's success clears the count

"""Plain knowledge-base answers do not depend on the question log (issue 17, item 6)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from handlers import answers, texts
from tests.conftest import Chat

SYSTEM_ERROR_START = texts.SYSTEM_ERROR.split("{")[0][:40]


async def test_answer_is_given_when_the_question_log_cannot_be_written(
    fixture_chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fixture_chat.say("/start")
    expected = (await fixture_chat.say("làm căn cước cần gì"))[0].text

    async def unwritable(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT INTO question_log", {}, Exception("database or disk is full"))

    monkeypatch.setattr(answers, "log_question", unwritable)
    replies = await fixture_chat.say("làm căn cước cần gì")
    assert SYSTEM_ERROR_START not in fixture_chat.text
    assert replies[0].text == expected


async def test_a_handler_bug_still_gets_the_apology(
    fixture_chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> list[object]:
        raise RuntimeError("bug")

    monkeypatch.setattr(answers, "_answer", broken)
    await fixture_chat.say("làm căn cước cần gì")
    assert SYSTEM_ERROR_START in fixture_chat.text

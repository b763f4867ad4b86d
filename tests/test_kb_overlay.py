"""The staff overlay of the knowledge base: validated like the base, refused whole, followed by every worker."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import build_app
from bot.kb_sync import sync
from handlers.improve import Change, ImproveError, decide, groups
from handlers.messages import Incoming
from knowledge.loader import KnowledgeError, load_knowledge
from knowledge.overlay import FILE_NAME, Overlay, apply_overlay, overlay_path, parse_overlay
from knowledge.service import KnowledgeService
from storage import kb_stamp
from storage.models import AuditLog
from storage.models_kb import KbReview
from tests.conftest import FIXTURE_KB, make_settings
from tests.test_cli import motcua

# written for these tests (never from shared/eval): questions the fixture base cannot answer
NEW_QUESTION = "tôi cần giấy xác nhận đang sống ở đây"
BASE = load_knowledge(FIXTURE_KB)


def test_additions_are_appended_and_validated_like_the_base() -> None:
    overlay = parse_overlay(
        f"topics:\n  tam-tru:\n    examples: ['{NEW_QUESTION}']\n    aliases: [giấy xác nhận đang ở]\n"
        "out_of_scope: ['mua vé xổ số ở đâu']\n",
        "kb_overlay.yaml",
    )
    kb = apply_overlay(BASE, overlay, "kb_overlay.yaml")
    topic = kb.topics["tam-tru"]
    assert topic.examples[-1] == NEW_QUESTION and topic.examples[:-1] == BASE.topics["tam-tru"].examples
    assert topic.aliases[-1] == "giấy xác nhận đang ở"
    assert kb.extra_out_of_scope == ("mua vé xổ số ở đâu",)
    assert BASE.topics["tam-tru"].examples[-1] != NEW_QUESTION  # the base itself is untouched


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("topics:\n  khong-co:\n    examples: [a]\n", "topics.khong-co: no topic has this id"),
        ("topics:\n  tam-tru:\n    summary: [x]\n", "the overlay may add only"),
        ("topics:\n  tam-tru:\n    examples: ['']\n", "topics.tam-tru: examples[0]: String should have at least 1 character"),
        ("topics:\n  khai-sinh:\n    faq:\n      - id: Bad Id\n        questions: [q]\n        answer: a\n", "faq[0].id"),
        ("topics:\n  khai-sinh:\n    faq:\n      - id: ok\n        questions: [q]\n        answer: a\n", "faq[0].source: required field is missing"),
        ("topics:\n  lien-he:\n    faq: [{id: x}]\n", "faq: unknown field"),
        ("topics: [1, 2]\n", "topics: expected a mapping"),
        ("nonsense: 1\n", "nonsense: unknown field"),
        ("topics:\n  tam-tru:\n    examples: [\n", "not valid YAML"),
        ("out_of_scope: ['hôm nay trời có mưa không']\n", "already an out-of-scope message"),
    ],
)  # fmt: skip
def test_an_invalid_overlay_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(KnowledgeError) as caught:
        apply_overlay(BASE, parse_overlay(text, "kb_overlay.yaml"), "kb_overlay.yaml")
    assert any(reason in p for p in caught.value.problems), caught.value.problems


def test_an_example_already_in_the_topic_is_refused() -> None:
    existing = BASE.topics["tam-tru"].examples[0]
    with pytest.raises(KnowledgeError, match="already in the topic"):
        apply_overlay(BASE, Overlay(topics={"tam-tru": {"examples": [existing.upper()]}}), "x")


def test_a_broken_overlay_file_never_breaks_the_base(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_text("topics:\n  khong-co:\n    examples: [a]\n", encoding="utf-8")
    service = KnowledgeService(FIXTURE_KB, overlay_file=path)  # starts, on the base alone
    assert service.overlay_problems and "khong-co" in service.overlay_problems[0]
    assert set(service.kb.topics) == set(BASE.topics)
    path.write_text(f"topics:\n  tam-tru:\n    examples: ['{NEW_QUESTION}']\n", encoding="utf-8")
    assert service.reload() == (True, [])
    assert service.kb.topics["tam-tru"].examples[-1] == NEW_QUESTION
    path.write_text("topics: [", encoding="utf-8")
    ok, problems = service.reload()
    assert not ok and "not valid YAML" in problems[0]
    assert service.kb.topics["tam-tru"].examples[-1] == NEW_QUESTION  # still the last good one


async def test_an_accepted_example_reaches_every_worker_and_is_answered(tmp_path: Path, db_url: str) -> None:
    """Two workers on one database, each with its own data directory (as on two machines)."""
    one = await build_app(make_settings(tmp_path / "one", database_url=db_url, knowledge_dir=FIXTURE_KB))
    two = await build_app(make_settings(tmp_path / "two", database_url=db_url, knowledge_dir=FIXTURE_KB))
    try:
        citizen = Incoming(channel="telegram", platform_id="501", text=NEW_QUESTION)
        assert one.knowledge.matcher.match(NEW_QUESTION).decision == "fallback"
        await one.dispatcher.handle(citizen)
        await one.dispatcher.handle(Incoming(channel="telegram", platform_id="502", text=NEW_QUESTION + " ạ"))
        async with one.db.session() as db:
            found = await groups(db, dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        [group] = [g for g in found if g.text.startswith(NEW_QUESTION)]
        assert group.count == 2 and group.reasons["fallback"] == 2 and len(group.digests) == 2
        path = overlay_path(one.settings.data_dir)
        async with one.db.session() as db:
            with pytest.raises(ImproveError) as refused:
                await decide(
                    db, one.knowledge, path, Change("alias", "tam-tru", ""), group.digests, "web:staff#1"
                )
            assert refused.value.problems == ["the text is empty"]
        async with one.db.session() as db:
            version = await decide(
                db,
                one.knowledge,
                path,
                Change("example", "tam-tru", NEW_QUESTION),
                group.digests,
                "web:staff#1",
            )
        assert version == 1
        assert NEW_QUESTION in path.read_text(encoding="utf-8")
        assert not overlay_path(two.settings.data_dir).exists()
        assert await sync(one) and await sync(two)
        assert not await sync(two)  # nothing newer
        assert NEW_QUESTION in overlay_path(two.settings.data_dir).read_text(encoding="utf-8")
        for worker in (one, two):
            assert worker.knowledge.matcher.match(NEW_QUESTION).decision == "answer"
            replies = await worker.dispatcher.handle(citizen)
            assert worker.knowledge.kb.topics["tam-tru"].name in replies[0].text
        async with one.db.session() as db:
            assert {r.digest for r in (await db.scalars(select(KbReview))).all()} == set(group.digests)
            assert (
                await db.scalar(
                    select(func.count()).select_from(AuditLog).where(AuditLog.action == "kb.example")
                )
                == 1
            )
            left = await groups(db, dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
            assert not [g for g in left if g.text.startswith(NEW_QUESTION)]
            stamp = await kb_stamp.current(db)
            assert stamp is not None and stamp.version == 1 and stamp.updated_by == "web:staff#1"
    finally:
        await one.close()
        await two.close()


async def test_a_change_that_would_not_validate_stores_nothing(tmp_path: Path, db_url: str) -> None:
    app = await build_app(make_settings(tmp_path, database_url=db_url, knowledge_dir=FIXTURE_KB))
    try:
        path = overlay_path(app.settings.data_dir)
        faq = {"id": "xac-nhan", "questions": ["q"], "answer": "a"}  # no source: the base requires one
        async with app.db.session() as db:
            with pytest.raises(ImproveError) as refused:
                await decide(
                    db, app.knowledge, path, Change("faq", "khai-sinh", "q", faq), ["0" * 40], "cli:test"
                )
        assert any("source: required field is missing" in p for p in refused.value.problems)
        async with app.db.session() as db:
            assert await kb_stamp.current(db) is None
            assert await db.scalar(select(func.count()).select_from(KbReview)) == 0
        assert not path.exists()
        good = {**faq, "source": {"title": "Luật Cư trú 2020", "checked": "2026-11-20"}}
        async with app.db.session() as db:
            assert (
                await decide(
                    db, app.knowledge, path, Change("faq", "khai-sinh", "q", good), ["1" * 40], "cli:t"
                )
                == 1
            )
        async with app.db.session() as db:
            with pytest.raises(ImproveError, match="used twice"):  # the same FAQ id again
                await decide(
                    db, app.knowledge, path, Change("faq", "khai-sinh", "q", good), ["2" * 40], "cli:t"
                )
        async with app.db.session() as db:
            assert await decide(db, app.knowledge, path, Change("dismiss"), ["3" * 40], "cli:t") is None
            stamp = await kb_stamp.current(db)
            assert stamp is not None and stamp.version == 1
    finally:
        await app.close()


def test_kb_show_and_check_include_the_overlay(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / FILE_NAME).write_text(
        f"topics:\n  tam-tru:\n    examples: ['{NEW_QUESTION}']\n", encoding="utf-8"
    )
    env = {"MOTCUA_DATA_DIR": str(data), "MOTCUA_KNOWLEDGE_DIR": str(FIXTURE_KB)}
    shown = motcua("kb", "show", "tam-tru", env=env)
    assert shown.returncode == 0, shown.stderr
    assert NEW_QUESTION in shown.stdout and FILE_NAME in shown.stdout
    checked = motcua("kb", "check", env=env)
    assert checked.returncode == 0 and "overlay" in checked.stdout
    (data / FILE_NAME).write_text("topics:\n  khong-co:\n    examples: [a]\n", encoding="utf-8")
    broken = motcua("kb", "check", env=env)
    assert broken.returncode == 1 and "no topic has this id" in broken.stderr

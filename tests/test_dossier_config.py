"""The dossier and Zalo template settings fail at start with the variable's name; the purge of finished dossiers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.channels.zalo_templates import TemplateSpec, parse_templates
from bot.config import ConfigError, Settings
from handlers.privacy_purge import purge
from handlers.serialize import DOSSIER_TEMPLATE
from storage.models_dossiers import Dossier, DossierFollower
from storage.repos import get_or_create_user
from tests.conftest import make_settings
from tests.dossier_support import CODE, feed, later


@pytest.mark.parametrize(
    ("env", "words"),
    [
        (
            {"MOTCUA_DOSSIER_CODE_PATTERN": "(unclosed"},
            "MOTCUA_DOSSIER_CODE_PATTERN is not a regular expression",
        ),
        ({"MOTCUA_DOSSIER_CODE_PATTERN": "\\d*"}, "matches an empty text"),
        ({"MOTCUA_DOSSIER_API_SECRET": "short"}, "MOTCUA_DOSSIER_API_SECRET is shorter than 32"),
        ({"MOTCUA_DOSSIER_API_MAX_SKEW_SECONDS": "5"}, "30-3600"),
        ({"MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_ID": "123"}, "MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_PARAMS is empty"),
        (
            {"MOTCUA_ZALO_OA_TEMPLATE_COMPLAINT_PARAMS": "a=code"},
            "MOTCUA_ZALO_OA_TEMPLATE_COMPLAINT_ID is empty",
        ),
        (
            {
                "MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_ID": "123",
                "MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_PARAMS": "ma=phone",
            },
            "'phone' is not one of code, state, procedure, due_date, note",
        ),
        (
            {
                "MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_ID": "1 2",
                "MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_PARAMS": "ma=code",
            },
            "not a Zalo template id",
        ),
        (
            {"MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_ID": "12", "MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_PARAMS": "ma code"},
            "is not param=value",
        ),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], words: str) -> None:
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace("*", r"\*")):
        Settings.from_env(env)


def test_templates_are_parsed_and_values_clipped() -> None:
    settings = Settings.from_env(
        {
            "MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_ID": "a1b2",
            "MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_PARAMS": " ma_ho_so = code , thu_tuc=procedure",
        }
    )
    spec = parse_templates(settings)[DOSSIER_TEMPLATE]
    assert spec == TemplateSpec("a1b2", {"ma_ho_so": "code", "thu_tuc": "procedure"})
    data = spec.data(DOSSIER_TEMPLATE, {"code": CODE, "procedure": "Thủ tục " * 60})
    assert data["ma_ho_so"] == CODE and len(data["thu_tuc"]) == 200 and data["thu_tuc"].endswith("…")
    assert spec.data(DOSSIER_TEMPLATE, {})["ma_ho_so"] == "-"  # a parameter is never sent empty


async def test_finished_dossiers_lose_phone_digits_notes_and_followers(tmp_path: Path) -> None:
    app = await build_app(make_settings(tmp_path))
    try:
        await feed(app, note="Bản sao giấy tờ")
        await feed(app, state="result_returned", note="Đã trả tại quầy", time=later(1))
        async with app.db.session() as db:
            user = await get_or_create_user(db, "telegram", "1")
            dossier = await db.scalar(select(Dossier))
            assert dossier is not None
            db.add(
                DossierFollower(
                    dossier_id=dossier.id, user_id=user.id, verified=True, created_at=dossier.state_at
                )
            )
            await db.commit()
        retention = app.services.settings.retention
        days = retention.dossier_days
        async with app.db.session() as db:
            await purge(
                db, app.services.router, app.services.clock() + dt.timedelta(days=days - 1), retention
            )
            await db.commit()
            kept = await db.scalar(select(Dossier).execution_options(populate_existing=True))
            assert kept is not None and kept.phone_tail == "5678"
        async with app.db.session() as db:
            await purge(
                db, app.services.router, app.services.clock() + dt.timedelta(days=days + 1), retention
            )
            await db.commit()
        async with app.db.session() as db:
            gone = await db.scalar(select(Dossier).execution_options(populate_existing=True))
            assert gone is not None and (gone.phone_tail, gone.note, gone.state) == (
                None,
                None,
                "result_returned",
            )
            assert await db.scalar(select(DossierFollower)) is None
    finally:
        await app.close()

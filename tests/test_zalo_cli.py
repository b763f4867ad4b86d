"""`motcua zalo …` against the fake OAuth server: authorise, status, consent URL."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.cli import CliError, build_parser
from bot.commands.zalo import pkce_pair
from bot.config import ConfigError, Settings
from storage.db import Database
from storage.models_zalo import ZaloToken
from tests.conftest import FIXTURE_KB
from tests.fake_zalo_bot import FakeZaloBot
from tests.fake_zalo_oa import FakeZaloOA


@pytest.fixture
async def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeZaloOA]:
    oa = FakeZaloOA()
    await oa.start()
    env = {
        "MOTCUA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "MOTCUA_DATA_DIR": str(tmp_path),
        "MOTCUA_KNOWLEDGE_DIR": str(FIXTURE_KB),
        "MOTCUA_ZALO_OA_APP_ID": oa.app_id,
        "MOTCUA_ZALO_OA_SECRET_KEY": oa.oa_secret_key,
        "MOTCUA_ZALO_OA_APP_SECRET": oa.app_secret,
        "MOTCUA_ZALO_OAUTH_URL": oa.url,
        "MOTCUA_ZALO_OA_API_URL": oa.url,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield oa
    await oa.stop()


async def run(*argv: str) -> int:
    args = build_parser().parse_args(["zalo", *argv])
    result = args.func(args)
    return await result if hasattr(result, "__await__") else result


async def stored(tmp_path: Path) -> ZaloToken | None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    try:
        async with db.session() as session:
            return await session.get(ZaloToken, "oa")
    finally:
        await db.close()


async def test_authorize_with_refresh_token_rotates_and_stores_the_pair(
    fake: FakeZaloOA, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, refresh, _ = fake.issue_pair()
    assert await run("authorize", "--refresh-token", refresh) == 0
    row = await stored(tmp_path)
    assert row is not None and row.status == "ok"
    assert row.refresh_token in fake.refresh_tokens and refresh in fake.used_refresh_tokens
    assert row.access_token in fake.access_tokens
    out = capsys.readouterr().out
    assert "authorised" in out and row.access_token not in out and row.refresh_token not in out
    with pytest.raises(CliError, match="single-use"):
        await run("authorize", "--refresh-token", refresh)  # already used


async def test_authorize_with_code_and_pkce(fake: FakeZaloOA, tmp_path: Path) -> None:
    verifier, challenge = pkce_pair()
    assert len(verifier) == 43
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == digest
    code = fake.new_code(verifier)
    with pytest.raises(CliError, match="code-verifier"):
        await run("authorize", "--code", code)
    assert await run("authorize", "--code", code, "--code-verifier", verifier) == 0
    row = await stored(tmp_path)
    assert row is not None and row.access_token in fake.access_tokens


async def test_verifiers_never_start_with_a_dash_and_dashed_values_work_with_equals(
    fake: FakeZaloOA, tmp_path: Path
) -> None:
    assert not any(pkce_pair()[0].startswith("-") for _ in range(2000))
    # Zalo's codes are base64url too: the printed `--code=<code>` form accepts a leading dash.
    verifier = "-IgGq0jqQFCVe8ZHRszDwyj0vkaA_0Z7D6noqnWiKas"
    code = fake.new_code(verifier)
    assert await run("authorize", f"--code={code}", f"--code-verifier={verifier}") == 0
    row = await stored(tmp_path)
    assert row is not None and row.access_token in fake.access_tokens


async def test_auth_url_prints_a_consent_link(fake: FakeZaloOA, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run("auth-url", "--redirect-uri", "https://xa.gov.vn/zalo/callback") == 0
    out = capsys.readouterr().out
    url = next(word for word in out.split() if word.startswith("http"))
    query = parse_qs(urlparse(url).query)
    assert urlparse(url).path == "/v4/oa/permission"
    assert query["app_id"] == [fake.app_id] and query["code_challenge"][0]


async def test_status_shows_state_without_secrets(
    fake: FakeZaloOA, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, refresh, _ = fake.issue_pair()
    assert await run("authorize", "--refresh-token", refresh, "--no-verify") == 0
    assert refresh in fake.refresh_tokens  # not used yet
    assert await run("status") == 0
    out = capsys.readouterr().out
    assert "authorisation: ok" in out and refresh not in out


async def test_status_checks_the_bot(
    fake: FakeZaloOA, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = FakeZaloBot()
    await bot.start()
    try:
        monkeypatch.setenv("MOTCUA_ZALO_BOT_TOKEN", bot.token)
        monkeypatch.setenv("MOTCUA_ZALO_BOT_API_URL", bot.api_url)
        assert await run("status", "--check") == 0
    finally:
        await bot.stop()
    out = capsys.readouterr().out
    assert "long polling" in out and "bot.test answers" in out and bot.token not in out


def test_half_configured_oa_is_a_clear_config_error() -> None:
    with pytest.raises(ConfigError, match="MOTCUA_ZALO_OA_SECRET_KEY"):
        Settings.from_env({"MOTCUA_ZALO_OA_APP_ID": "123"})
    with pytest.raises(ConfigError, match="MOTCUA_ZALO_BOT_WEBHOOK_SECRET"):
        Settings.from_env(
            {
                "MOTCUA_ZALO_BOT_TOKEN": "1:a",
                "MOTCUA_ZALO_BOT_WEBHOOK_URL": "https://x.vn/h",
                "MOTCUA_ZALO_BOT_WEBHOOK_SECRET": "short",
            }
        )
    with pytest.raises(ConfigError, match="MOTCUA_ZALO_OA_WEBHOOK_PATH"):
        Settings.from_env({"MOTCUA_ZALO_OA_WEBHOOK_PATH": "zalo"})

"""The optional admin password: argon2 hashes, admins only, same refusal for every failure."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.web.passwords import PasswordError, hash_password, verify
from handlers import texts
from storage import staff_accounts
from storage.models_web import WebSession
from tests.web.conftest import ADMIN, STAFF, post_form

PASSWORD = "một mật khẩu đủ dài"


async def _set_password(bot, key: str, password: str) -> None:
    async with bot.db.session() as db:
        account = await staff_accounts.by_key(db, key)
        assert account is not None
        account.password_hash = hash_password(password)
        await db.commit()


async def _sessions(bot) -> int:
    async with bot.db.session() as db:
        return int(await db.scalar(select(func.count()).select_from(WebSession)) or 0)


def test_hashes_are_argon2_and_verify() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify(stored, PASSWORD)
    assert not verify(stored, PASSWORD + "x")
    assert not verify(None, PASSWORD)
    assert not verify("not a hash", PASSWORD)
    with pytest.raises(PasswordError):
        hash_password("short")


async def test_an_admin_signs_in_with_the_password(staff_client, web_bot) -> None:
    await _set_password(web_bot, ADMIN, PASSWORD)
    client = await staff_client(signed_in=False)
    await client.get("/staff/signin")
    response = await post_form(client, "/signin/password", {"identity": ADMIN, "password": PASSWORD})
    assert response.status == 303
    page = await client.get("/staff/accounts")
    assert page.status == 200


@pytest.mark.parametrize(
    ("identity", "password"),
    [(ADMIN, "wrong password!!"), ("telegram:404", PASSWORD), ("nonsense", PASSWORD), (STAFF, PASSWORD)],
)
async def test_wrong_passwords_unknown_accounts_and_staff_are_refused_alike(
    staff_client, web_bot, identity, password
) -> None:
    await _set_password(web_bot, ADMIN, PASSWORD)
    await _set_password(web_bot, STAFF, PASSWORD)  # a staff member's password is never accepted
    client = await staff_client(signed_in=False)
    await client.get("/staff/signin")
    response = await post_form(client, "/signin/password", {"identity": identity, "password": password})
    assert response.status == 401
    assert texts.WEB_PASSWORD_WRONG in await response.text()
    assert await _sessions(web_bot) == 0


async def test_the_cli_sets_and_clears_an_admins_password(tmp_path) -> None:
    from bot.app import build_app
    from tests.conftest import FIXTURE_KB, make_settings
    from tests.test_cli import motcua

    data = tmp_path / "data"
    data.mkdir()
    (data / "staff.txt").write_text(f"{ADMIN} admin\n{STAFF} staff\n")
    env = {"MOTCUA_DATA_DIR": str(data), "MOTCUA_KNOWLEDGE_DIR": str(FIXTURE_KB)}
    out = motcua("staff", "password", ADMIN, env=env, stdin=PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    refused = motcua("staff", "password", STAFF, env=env, stdin=PASSWORD + "\n")
    assert refused.returncode == 2 and "only admins" in refused.stderr
    short = motcua("staff", "password", ADMIN, env=env, stdin="short\n")
    assert short.returncode == 2 and "at least 12" in short.stderr
    bot = await build_app(
        make_settings(
            data, knowledge_dir=FIXTURE_KB, database_url=f"sqlite+aiosqlite:///{data / 'motcua.db'}"
        )
    )
    try:
        async with bot.db.session() as db:
            admin = await staff_accounts.by_key(db, ADMIN)
            assert admin is not None and verify(admin.password_hash, PASSWORD)
    finally:
        await bot.close()
    cleared = motcua("staff", "password", ADMIN, "--clear", env=env)
    assert cleared.returncode == 0, cleared.stderr
    bot = await build_app(
        make_settings(
            data, knowledge_dir=FIXTURE_KB, database_url=f"sqlite+aiosqlite:///{data / 'motcua.db'}"
        )
    )
    try:
        async with bot.db.session() as db:
            admin = await staff_accounts.by_key(db, ADMIN)
            assert admin is not None and admin.password_hash is None
    finally:
        await bot.close()

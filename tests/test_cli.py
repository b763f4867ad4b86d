"""The `motcua` command line as a deployer uses it: real processes, real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_KB

ROOT = Path(__file__).resolve().parent.parent


def motcua(*args: str, env: dict[str, str] | None = None, stdin: str = "", timeout: int = 60):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    full_env["PYTHONPATH"] = str(ROOT)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=ROOT,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"MOTCUA_DATA_DIR": str(tmp_path / "data"), "MOTCUA_KNOWLEDGE_DIR": str(FIXTURE_KB)}


def test_help_lists_commands_and_each_has_help() -> None:
    out = motcua("--help")
    assert out.returncode == 0
    for command in ("chat", "run", "db", "kb", "staff"):
        assert command in out.stdout
        sub = motcua(command, "--help")
        assert sub.returncode == 0 and "usage:" in sub.stdout


def test_scripted_chat_greets_presses_and_answers(env: dict[str, str]) -> None:
    out = motcua("chat", "--user", "lan", env=env, stdin="xin chào\n1\nkhai sinh\n")
    assert out.returncode == 0, out.stderr
    assert "Xin chào anh/chị" in out.stdout
    assert "1. Hỏi về thủ tục" in out.stdout
    assert "Xin mời anh/chị gõ câu hỏi" in out.stdout  # "1" pressed the first button
    assert "Đăng ký khai sinh" in out.stdout
    assert not (Path(env["MOTCUA_DATA_DIR"]) / "motcua.db").stat().st_size == 0


def test_unanswered_questions_are_listed_for_staff(env: dict[str, str]) -> None:
    motcua("chat", "--user", "an", env=env, stdin="xổ số miền bắc hôm nay\n")
    out = motcua("kb", "unanswered", env=env)
    assert out.returncode == 0 and "fallback" in out.stdout
    assert "xo so" in out.stdout or "xổ số" in out.stdout


def test_conversation_continues_in_a_new_process(env: dict[str, str]) -> None:
    first = motcua("chat", "--user", "minh", env=env, stdin="khai sinh\n")
    assert "1. Giấy tờ cần chuẩn bị" in first.stdout
    # a new process: "1" presses the button shown by the previous process
    second = motcua("chat", "--user", "minh", env=env, stdin="1\n")
    assert "Giấy chứng sinh" in second.stdout, second.stdout
    # another user has no such buttons: "1" is just text
    other = motcua("chat", "--user", "hoa", env=env, stdin="1\n")
    assert "Giấy chứng sinh" not in other.stdout


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("MOTCUA_DATABASE_URL", "mysql://root@localhost/x", "unsupported scheme 'mysql'"),
        ("MOTCUA_DATABASE_URL", "not a url", "is not a URL"),
        ("MOTCUA_KNOWLEDGE_DIR", "/nonexistent/kb", "is not a readable directory"),
        ("MOTCUA_HTTP_PORT", "eighty", "is not a whole number"),
        ("MOTCUA_HTTP_PORT", "70000", "is not a port number"),
        ("MOTCUA_TIMEZONE", "Mars/Base", "not a known time zone"),
        ("MOTCUA_STAFF", "telegram:1=boss", "role 'boss'"),
    ],
)
def test_bad_configuration_is_one_clear_line(
    env: dict[str, str], variable: str, value: str, expected: str
) -> None:
    out = motcua("chat", env={**env, variable: value}, stdin="")
    assert out.returncode == 2
    assert expected in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_unreachable_database_is_a_clear_error(env: dict[str, str]) -> None:
    url = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    out = motcua("db", "upgrade", env={**env, "MOTCUA_DATABASE_URL": url})
    assert out.returncode == 2 and "cannot migrate" in out.stderr and "Traceback" not in out.stderr


def test_db_upgrade_and_staff_management(env: dict[str, str], tmp_path: Path) -> None:
    assert motcua("db", "upgrade", env=env).returncode == 0
    staff_env = {**env, "MOTCUA_STAFF_FILE": str(tmp_path / "staff.txt")}
    (tmp_path / "staff.txt").write_text("")
    assert (
        motcua(
            "staff", "add", "telegram:111", "--role", "admin", "--name", "Chị Hà", env=staff_env
        ).returncode
        == 0
    )
    listed = motcua("staff", "list", env=staff_env)
    assert "telegram:111\tadmin\tChị Hà" in listed.stdout
    bad = motcua("staff", "add", "not-an-identity", env=staff_env)
    assert bad.returncode == 2 and "channel:id" in bad.stderr
    assert motcua("staff", "remove", "telegram:111", env=staff_env).returncode == 0
    assert motcua("staff", "remove", "telegram:111", env=staff_env).returncode == 2


def test_run_without_any_channel_says_what_to_set(env: dict[str, str]) -> None:
    out = motcua("run", env=env)
    assert out.returncode == 2 and "MOTCUA_TELEGRAM_TOKEN" in out.stderr


def test_match_command_json_lines(env: dict[str, str]) -> None:
    import json

    out = motcua("match", "--json", "--limit", "2", "lam giay khai sinh cho con", "thời tiết", env=env)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["query"] for r in rows] == ["lam giay khai sinh cho con", "thời tiết"]
    assert rows[0]["results"][0]["id"] == "khai-sinh" and len(rows[0]["results"]) <= 2
    assert rows[1]["decision"] == "fallback"
    piped = motcua("match", env=env, stdin="đăng ký tạm trú\n")
    assert piped.returncode == 0 and "tam-tru" in piped.stdout

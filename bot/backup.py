"""Backups of the bot's database: one file to keep, one command to put it back.

SQLite is copied with SQLite's online backup API, which gives a consistent
copy while the bot keeps running (a plain file copy of a WAL database can
miss committed pages). PostgreSQL uses pg_dump and psql when they are
installed; where they are not (the bot's slim image), the exact commands are
printed to run from a machine that has them, instead of a half-made backup.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SQLITE_HEADER = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore that did not happen; the message says why and what to do."""


@dataclass
class Tool:
    """A PostgreSQL client command: argv without the password, which goes in the environment."""

    argv: list[str]
    password: str | None

    def printable(self) -> str:
        import shlex

        prefix = "PGPASSWORD=… " if self.password else ""
        return prefix + " ".join(shlex.quote(a) for a in self.argv)

    def run(self) -> None:
        if shutil.which(self.argv[0]) is None:
            raise BackupError(
                f"{self.argv[0]} is not installed here; run this where it is (postgresql-client):\n"
                + self.printable()
            )
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        done = subprocess.run(self.argv, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"{self.argv[0]} failed: {done.stderr.strip() or done.returncode}")


def _sqlite_path(url: str) -> Path:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(path).expanduser()


def _libpq(url: str) -> tuple[str, str | None]:
    """The URL psql and pg_dump understand (no async driver, no password) and the password."""
    parsed = make_url(url)
    password = parsed.password
    plain = URL.create(  # URL.set(password=None) would keep the password
        "postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query
    )
    return plain.render_as_string(hide_password=False), str(password) if password is not None else None


def pg_dump_command(url: str, file: Path) -> Tool:
    libpq, password = _libpq(url)
    argv = ["pg_dump", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file", str(file), libpq]
    return Tool(argv, password)


def psql_restore_command(url: str, file: Path) -> Tool:
    libpq, password = _libpq(url)
    argv = ["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
    return Tool([*argv, "--file", str(file), libpq], password)


def create(url: str, file: Path, *, force: bool = False) -> str:
    """Write a backup of the database at `url` to `file`; returns what was done."""
    if file.exists() and not force:
        raise BackupError(f"{file} already exists; choose another name or pass --force to overwrite it")
    file.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        source = _sqlite_path(url)
        if not source.is_file():
            raise BackupError(f"no database at {source}; nothing to back up")
        tmp = file.with_name(file.name + ".partial")
        tmp.unlink(missing_ok=True)
        src, dst = sqlite3.connect(source), sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        tmp.replace(file)  # a crash mid-copy never leaves a file that looks like a backup
        return f"backed up {source} to {file} ({file.stat().st_size} bytes)"
    pg_dump_command(url, file).run()
    return f"backed up the PostgreSQL database to {file} ({file.stat().st_size} bytes)"


def restore(url: str, file: Path) -> str:
    """Replace the database at `url` with the backup in `file` (stop the bot first)."""
    if not file.is_file():
        raise BackupError(f"{file} does not exist")
    with file.open("rb") as fh:
        is_sqlite_file = fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    if url.startswith("sqlite"):
        if not is_sqlite_file:
            raise BackupError(f"{file} is not a SQLite backup (made with `motcua backup create` on SQLite?)")
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        src, dst = sqlite3.connect(file), sqlite3.connect(target)
        try:
            src.backup(dst)  # page by page into the live file, WAL and all: no stale -wal file left behind
        finally:
            dst.close()
            src.close()
        return f"restored {target} from {file}"
    if is_sqlite_file:
        raise BackupError(f"{file} is a SQLite backup; the configured database is PostgreSQL")
    psql_restore_command(url, file).run()
    return f"restored the PostgreSQL database from {file}"


def bot_running(pid_file: Path) -> int | None:
    """The pid of a running `motcua run` using this data directory, if any."""
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid

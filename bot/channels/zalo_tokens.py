"""Zalo OA OAuth tokens: stored in the database, refreshed single-flight.

Facts this code relies on (see ../shared/domain/zalo.md, checked against
public implementations): `POST {oauth}/v4/oa/access_token` with a form body
(`refresh_token`, `app_id`, `grant_type=refresh_token`) and the App Secret
Key in the `secret_key` header answers `{"access_token", "refresh_token",
"expires_in": "90000"}` (a string of seconds, 25 h). The refresh token is
single-use: every refresh returns a new pair and kills the old refresh
token, so two concurrent refreshes make one of them fail with -14014 and,
worse, losing the new pair (crash before it is stored) locks the OA out
until an admin re-consents. Hence: one refresh at a time per process (an
asyncio lock) and across workers (a row lock on PostgreSQL), the new pair
written in the same transaction that read the old one, and a clear alert
when Zalo rejects the refresh token.

Tokens never reach a log line: errors carry Zalo's code and message only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import utcnow
from storage.models_zalo import TOKEN_OK, TOKEN_REAUTH, ZaloToken
from storage.repos import audit

log = logging.getLogger(__name__)
# aiosqlite's DEBUG records print SQL parameters, which would include the tokens:
# keep that logger at INFO or above even when the bot runs with --log-level DEBUG.
_sqlite_log = logging.getLogger("aiosqlite")
if _sqlite_log.level < logging.INFO:  # NOTSET would inherit DEBUG from the root
    _sqlite_log.setLevel(logging.INFO)

TOKEN_PATH = "/v4/oa/access_token"
REFRESH_MARGIN = dt.timedelta(hours=1)  # refresh an access token this long before it expires
DEFAULT_LIFETIME = dt.timedelta(hours=25)  # what Zalo documents when expires_in is missing
ERROR_REFRESH_REJECTED = -14014
REAUTH_HINT = (
    "Zalo rejected the OA refresh token: the bot cannot send on Zalo OA until an admin re-authorises it. "
    "Open the app's OA authorisation on developers.zalo.me, then run "
    "`motcua zalo authorize --refresh-token <new refresh token>` (or --code/--code-verifier)."
)

AlertHook = Callable[[str], Awaitable[None]]


class ZaloAuthError(Exception):
    """No usable token: an admin must authorise the OA again (`motcua zalo authorize`),
    or the token endpoint refused our app credentials (`code` says which)."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code

    @property
    def refresh_token_rejected(self) -> bool:
        """-14014, or an error that names the refresh token: only a new consent helps."""
        return self.code == ERROR_REFRESH_REJECTED or "refresh" in str(self).lower()


class ZaloTokenUnavailable(Exception):
    """The token endpoint could not be reached or answered oddly; try again later."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class TokenStatus:
    """What `motcua zalo status` shows: everything but the tokens themselves."""

    configured: bool
    status: str
    access_expires_at: dt.datetime | None
    refreshed_at: dt.datetime | None
    last_error: str | None
    version: int


async def request_tokens(
    http: aiohttp.ClientSession, oauth_url: str, app_id: str, app_secret: str, form: dict[str, str]
) -> TokenPair:
    """One call to the token endpoint; raises ZaloAuthError when Zalo refuses the grant."""
    body = {"app_id": app_id, **form}
    try:
        async with http.post(
            oauth_url.rstrip("/") + TOKEN_PATH,
            data=body,
            headers={"secret_key": app_secret},
            timeout=aiohttp.ClientTimeout(total=20),
        ) as resp:
            if resp.status >= 500:
                raise ZaloTokenUnavailable(f"token endpoint answered HTTP {resp.status}")
            data: dict[str, Any] = await resp.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise ZaloTokenUnavailable(f"token endpoint unreachable: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise ZaloTokenUnavailable("token endpoint answered something that is not a JSON object")
    error = _int(data.get("error"), 0)
    if error:
        message = str(data.get("message") or data.get("error_name") or data.get("error_description") or "")
        raise ZaloAuthError(f"Zalo token endpoint error {error}: {message}"[:300], error)
    access, refresh = data.get("access_token"), data.get("refresh_token")
    if not access or not refresh:
        raise ZaloTokenUnavailable("token endpoint answer lacks access_token or refresh_token")
    seconds = _int(data.get("expires_in"), int(DEFAULT_LIFETIME.total_seconds()))
    return TokenPair(str(access), str(refresh), utcnow() + dt.timedelta(seconds=max(seconds, 60)))


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class TokenManager:
    """Hands out a valid OA access token; refreshes before expiry and when Zalo says it is invalid."""

    def __init__(
        self,
        db: Database,
        http: Callable[[], aiohttp.ClientSession],
        *,
        app_id: str,
        app_secret: str,
        oauth_url: str,
        clock: Callable[[], dt.datetime] = utcnow,
        name: str = "oa",
        alert: AlertHook | None = None,
    ) -> None:
        self.db = db
        self._http = http
        self.app_id = app_id
        self.app_secret = app_secret
        self.oauth_url = oauth_url
        self.clock = clock
        self.name = name
        self.alert = alert
        self._lock = asyncio.Lock()
        self._access: str | None = None
        self._expires_at: dt.datetime | None = None

    def _fresh(self, expires_at: dt.datetime | None) -> bool:
        return expires_at is not None and expires_at - REFRESH_MARGIN > self.clock()

    async def access_token(self) -> str:
        """The cached token while it is fresh; otherwise the stored one, or a refreshed one."""
        if self._access and self._fresh(self._expires_at):
            return self._access
        return await self.refresh(stale=self._access, only_if_needed=True)

    async def refresh(self, stale: str | None = None, *, only_if_needed: bool = False) -> str:
        """Refresh the pair once, whoever asks at the same time.

        `stale` is the token a caller saw fail (or expire): if the stored token
        differs, someone else refreshed already and that one is returned.
        With `only_if_needed`, a stored token that is still fresh is returned.
        """
        async with self._lock:
            async with self.db.session() as db:
                stmt = select(ZaloToken).where(ZaloToken.name == self.name)
                if not self.db.is_sqlite:
                    stmt = stmt.with_for_update()  # other workers wait while we refresh
                row = await db.scalar(stmt)
                if row is None or not row.refresh_token:
                    raise ZaloAuthError(
                        "no Zalo OA token is stored yet; run `motcua zalo authorize --refresh-token …`"
                    )
                if row.status == TOKEN_REAUTH:
                    raise ZaloAuthError(row.last_error or REAUTH_HINT)
                usable = row.access_token and self._fresh(row.access_expires_at)
                if usable and (only_if_needed or row.access_token != stale):
                    self._remember(row.access_token, row.access_expires_at)
                    return row.access_token  # type: ignore[return-value]
                used = row.refresh_token
                if self.db.is_sqlite:
                    # SQLite has no row lock: end the read snapshot now so the write below
                    # starts fresh even if another process wrote meanwhile.
                    await db.rollback()
                try:
                    pair = await request_tokens(
                        self._http(),
                        self.oauth_url,
                        self.app_id,
                        self.app_secret,
                        {"refresh_token": used, "grant_type": "refresh_token"},
                    )
                except ZaloAuthError as exc:
                    if not exc.refresh_token_rejected:
                        # e.g. a wrong App Secret Key: the refresh token is still good, keep it
                        note = f"{exc}; check MOTCUA_ZALO_OA_APP_ID and MOTCUA_ZALO_OA_APP_SECRET"
                        await self._update(db, used, last_error=note)
                        log.error("Zalo OA token refresh refused: %s", note)
                        raise
                    return await self._rejected(db, used, exc)
                except ZaloTokenUnavailable as exc:
                    await self._update(db, used, last_error=str(exc))
                    log.error("Zalo OA token refresh failed, will retry: %s", exc)
                    raise
                now = self.clock()
                await db.execute(
                    update(ZaloToken)
                    .where(ZaloToken.name == self.name)
                    .values(
                        access_token=pair.access_token,
                        refresh_token=pair.refresh_token,
                        access_expires_at=pair.expires_at,
                        refreshed_at=now,
                        status=TOKEN_OK,
                        last_error=None,
                        version=ZaloToken.version + 1,
                        updated_at=now,
                    )
                )
                await db.commit()
                self._remember(pair.access_token, pair.expires_at)
                log.info("Zalo OA access token refreshed; valid until %s", pair.expires_at.isoformat())
                return pair.access_token

    async def _update(self, db: AsyncSession, used: str, **values: object) -> int:
        """Change the row only if it still holds the refresh token we used (nobody refreshed since)."""
        result = await db.execute(
            update(ZaloToken)
            .where(ZaloToken.name == self.name, ZaloToken.refresh_token == used)
            .values(updated_at=self.clock(), **values)
        )
        await db.commit()
        return int(getattr(result, "rowcount", 0) or 0)

    async def _rejected(self, db: AsyncSession, used: str, exc: ZaloAuthError) -> str:
        """Zalo refused the refresh token. Another process may have used it a moment
        earlier (SQLite has no row lock): then its new pair is, or soon will be, stored."""
        rotated = await self._rotated_elsewhere(used)
        if rotated is not None:
            return rotated
        changed = await self._update(db, used, status=TOKEN_REAUTH, last_error=f"{exc}. {REAUTH_HINT}")
        if not changed:  # rotated between our look and our write: not a real rejection
            rotated = await self._rotated_elsewhere(used)
            if rotated is not None:
                return rotated
            raise ZaloTokenUnavailable("the refresh token was rotated by another worker; try again")
        await audit(db, "system", "zalo_reauth_required", self.name, error=str(exc))
        await db.commit()
        self._access = None
        log.critical("%s (%s)", REAUTH_HINT, exc)
        await self._alert(REAUTH_HINT)
        raise ZaloAuthError(REAUTH_HINT) from None

    async def _rotated_elsewhere(self, used: str) -> str | None:
        async with self.db.session() as fresh:
            current = await fresh.get(ZaloToken, self.name)
        if (
            current is not None
            and current.refresh_token != used
            and current.status == TOKEN_OK
            and current.access_token
            and self._fresh(current.access_expires_at)
        ):
            log.warning("Zalo OA refresh token was already rotated by another worker; using its token")
            self._remember(current.access_token, current.access_expires_at)
            return current.access_token
        return None

    async def ensure_fresh(self) -> None:
        """Called periodically: keeps the pair alive even when nobody writes for weeks."""
        try:
            await self.access_token()
        except (ZaloAuthError, ZaloTokenUnavailable):
            pass  # already logged and alerted

    def _remember(self, token: str | None, expires_at: dt.datetime | None) -> None:
        self._access, self._expires_at = token, expires_at

    def forget(self) -> None:
        """Drop the cached token (after `motcua zalo authorize` stored a new one)."""
        self._remember(None, None)

    async def _alert(self, text: str) -> None:
        if self.alert is None:
            return
        try:
            await self.alert(text)
        except Exception:
            log.exception("could not deliver the Zalo re-authorisation alert")

    async def status(self) -> TokenStatus:
        async with self.db.session() as db:
            row = await db.get(ZaloToken, self.name)
        if row is None:
            return TokenStatus(False, "not authorised", None, None, None, 0)
        return TokenStatus(
            bool(row.refresh_token),
            row.status,
            row.access_expires_at,
            row.refreshed_at,
            row.last_error,
            row.version,
        )


def _store(row: ZaloToken, pair: TokenPair, now: dt.datetime) -> None:
    row.access_token = pair.access_token
    row.refresh_token = pair.refresh_token
    row.access_expires_at = pair.expires_at
    row.refreshed_at = now
    row.status = TOKEN_OK
    row.last_error = None
    row.version = (row.version or 0) + 1
    row.updated_at = now


async def save_pair(db: Database, pair: TokenPair, name: str = "oa", *, actor: str = "cli") -> None:
    """Store a pair obtained by `motcua zalo authorize`, replacing whatever was there."""
    now = utcnow()
    async with db.session() as session:
        row = await session.get(ZaloToken, name)
        if row is None:
            row = ZaloToken(name=name, version=0)
            session.add(row)
        _store(row, pair, now)
        await audit(session, actor, "zalo_authorize", name)
        await session.commit()


async def save_refresh_token_only(db: Database, refresh_token: str, name: str = "oa") -> None:
    """Store a refresh token without using it; the first send will refresh."""
    now = utcnow()
    async with db.session() as session:
        row = await session.get(ZaloToken, name)
        if row is None:
            row = ZaloToken(name=name, version=0)
            session.add(row)
        row.access_token = None
        row.access_expires_at = None
        row.refresh_token = refresh_token
        row.status = TOKEN_OK
        row.last_error = None
        row.version = (row.version or 0) + 1
        row.updated_at = now
        await audit(session, "cli", "zalo_authorize", name, verified=False)
        await session.commit()

"""`motcua zalo auth-url|authorize|status`: give the bot its Zalo OA authorisation.

Zalo OA tokens come from an OAuth consent by the OA's admin. The bot keeps
the pair in the database and rotates it itself; an admin only steps in at
the start and when Zalo rejects the refresh token (the bot then logs a
CRITICAL alert naming this command). Tokens are never printed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import secrets
import sys
from urllib.parse import urlencode

import aiohttp

from bot.commands.common import Subcommands, load_settings, open_app
from bot.config import Settings

PERMISSION_PATH = "/v4/oa/permission"


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("zalo", help="Zalo OA authorisation and channel status")
    zsub = p.add_subparsers(dest="zalo_command", metavar="ACTION", required=True)
    url = zsub.add_parser("auth-url", help="print the OA consent URL (PKCE) for the OA admin to open")
    url.add_argument("--redirect-uri", required=True, help="the callback URL registered for the Zalo app")
    url.set_defaults(func=_auth_url)
    auth = zsub.add_parser(
        "authorize", help="store a new OA authorisation (refresh token or authorization code)"
    )
    auth.add_argument("--refresh-token", help="an OA refresh token; '-' reads it from standard input")
    auth.add_argument("--code", help="the authorization code from the consent redirect (valid 10 minutes)")
    auth.add_argument("--code-verifier", help="the PKCE verifier printed by `motcua zalo auth-url`")
    auth.add_argument(
        "--no-verify",
        action="store_true",
        help="store the refresh token without using it now (it is single-use; the bot refreshes on first send)",
    )
    auth.set_defaults(func=_authorize)
    status = zsub.add_parser(
        "status", help="show the Zalo channels' configuration and token state (no secrets)"
    )
    status.add_argument(
        "--check", action="store_true", help="also ask the Bot Platform who the bot is (getMe)"
    )
    status.set_defaults(func=_status)


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, code_challenge): 43 characters, S256, base64url without padding.

    A verifier starting with "-" would be read by argparse as an option when the admin pastes
    it after a space, so such draws are discarded (the printed command also uses "=").
    """
    verifier = "-"
    while verifier.startswith("-"):
        verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _require_oa() -> Settings:
    from bot.cli import CliError

    settings = load_settings()
    if not settings.zalo_oa_app_id:
        raise CliError(
            "MOTCUA_ZALO_OA_APP_ID is not set: configure the Zalo OA channel first "
            "(MOTCUA_ZALO_OA_APP_ID, MOTCUA_ZALO_OA_SECRET_KEY, MOTCUA_ZALO_OA_APP_SECRET)"
        )
    return settings


def _auth_url(args: argparse.Namespace) -> int:
    settings = _require_oa()
    verifier, challenge = pkce_pair()
    query = urlencode(
        {
            "app_id": settings.zalo_oa_app_id,
            "redirect_uri": args.redirect_uri,
            "code_challenge": challenge,
            "state": secrets.token_urlsafe(8),
        }
    )
    print(f"1. As the OA admin, open:\n   {settings.zalo_oauth_url.rstrip('/')}{PERMISSION_PATH}?{query}")
    print(
        "2. After consenting, copy the `code` parameter of the redirect (it is valid for 10 minutes) and run:"
    )
    print(f"   motcua zalo authorize --code=<code> --code-verifier={verifier}")
    return 0


async def _authorize(args: argparse.Namespace) -> int:
    from bot.channels.zalo_tokens import (
        ZaloAuthError,
        ZaloTokenUnavailable,
        request_tokens,
        save_pair,
        save_refresh_token_only,
    )
    from bot.cli import CliError

    settings = _require_oa()
    refresh = args.refresh_token
    if refresh == "-":
        refresh = sys.stdin.readline().strip()
    if bool(refresh) == bool(args.code):
        raise CliError("give either --refresh-token or --code (with --code-verifier)")
    if args.code and not args.code_verifier:
        raise CliError("--code needs --code-verifier (printed by `motcua zalo auth-url`)")
    if refresh and any(c.isspace() for c in refresh):
        raise CliError("the refresh token contains spaces; paste it exactly as Zalo gave it")
    async with open_app(settings) as app:
        if refresh and args.no_verify:
            await save_refresh_token_only(app.db, refresh)
            print("Zalo OA refresh token stored; the bot will use it on its next send.")
            return 0
        form = (
            {"refresh_token": refresh, "grant_type": "refresh_token"}
            if refresh
            else {"code": args.code, "grant_type": "authorization_code", "code_verifier": args.code_verifier}
        )
        try:
            async with aiohttp.ClientSession() as http:
                pair = await request_tokens(
                    http, settings.zalo_oauth_url, settings.zalo_oa_app_id, settings.zalo_oa_app_secret, form
                )
        except ZaloAuthError as exc:
            raise CliError(
                f"Zalo refused the authorisation ({exc}); get a fresh one from the OA admin "
                "(`motcua zalo auth-url`). Refresh tokens are single-use: one already used is rejected."
            ) from None
        except ZaloTokenUnavailable as exc:
            raise CliError(f"cannot reach Zalo: {exc}; try again, or use --no-verify") from None
        await save_pair(app.db, pair)
    print(f"Zalo OA authorised; the access token is valid until {pair.expires_at:%Y-%m-%d %H:%M} UTC.")
    return 0


async def _status(args: argparse.Namespace) -> int:
    from bot.channels.zalo_tokens import TokenManager

    settings = load_settings()
    if not settings.zalo_oa_app_id and not settings.zalo_bot_token:
        print("Zalo: not configured (set MOTCUA_ZALO_OA_APP_ID … or MOTCUA_ZALO_BOT_TOKEN)")
        return 0
    async with open_app(settings) as app:
        if settings.zalo_oa_app_id:
            manager = TokenManager(
                app.db,
                aiohttp.ClientSession,
                app_id=settings.zalo_oa_app_id,
                app_secret=settings.zalo_oa_app_secret,
                oauth_url=settings.zalo_oauth_url,
            )
            st = await manager.status()
            print(f"Zalo OA (app {settings.zalo_oa_app_id}): webhook {settings.zalo_oa_webhook_path}")
            print(f"  authorisation: {st.status}")
            if st.access_expires_at:
                print(f"  access token valid until: {st.access_expires_at:%Y-%m-%d %H:%M} UTC")
            if st.refreshed_at:
                print(f"  last refreshed: {st.refreshed_at:%Y-%m-%d %H:%M} UTC (rotation #{st.version})")
            if st.last_error:
                print(f"  last error: {st.last_error}")
        else:
            print("Zalo OA: not configured")
        if settings.zalo_bot_token:
            mode = (
                f"webhook {settings.zalo_bot_webhook_url}"
                if settings.zalo_bot_webhook_url
                else "long polling"
            )
            print(f"Zalo Bot Platform: {mode}")
            if args.check:
                print(f"  {await _bot_check(settings)}")
        else:
            print("Zalo Bot Platform: not configured")
    return 0


async def _bot_check(settings: Settings) -> str:
    from bot.channels.base import TransientError
    from bot.channels.zalo_bot import BotApiError, BotClient

    async with aiohttp.ClientSession() as http:
        client = BotClient(settings.zalo_bot_api_url, settings.zalo_bot_token, lambda: http)
        try:
            me = await client.call("getMe")
        except (BotApiError, TransientError) as exc:
            return f"check failed: {exc}"
    if isinstance(me, dict):
        return f"bot {me.get('account_name') or me.get('id')} answers"
    return "bot answers"

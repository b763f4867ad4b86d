"""`/web`: a staff member asks the bot for a one-time sign-in link to the staff web console.

The chat already proves who the officer is (the channel identity in the staff
list), so the console needs no password of its own: the link is that proof,
usable once, for a few minutes, and only by asking from the staff account.
"""

from __future__ import annotations

from handlers import texts
from handlers.context import Context
from handlers.messages import Incoming, Reply
from handlers.router import Feature, Router
from storage import staff_accounts, web_auth
from storage.repos import audit

SIGN_IN_PATH = "/staff/signin/"


async def web_link(ctx: Context, msg: Incoming) -> list[Reply]:
    if msg.group is not None:  # even the staff's own group: whoever reads the link could use it
        return [Reply(texts.PRIVATE_ONLY)]
    account = await staff_accounts.by_key(ctx.db, ctx.user_key)
    if account is None:  # staff by the snapshot, but the table lost it since (removed a moment ago)
        return [Reply(texts.WEB_LINK_NO_ACCOUNT)]
    token = await web_auth.create_link(ctx.db, account.id, ctx.now())
    await audit(ctx.db, ctx.user_key, "web.link", f"staff#{account.id}")
    link = ctx.settings.public_url.rstrip("/") + SIGN_IN_PATH + token
    return [Reply(texts.WEB_LINK_MESSAGE.format(minutes=web_auth.LINK_MINUTES, link=link))]


FEATURE = Feature.WEB_CONSOLE


def register(router: Router) -> None:
    router.command("web", web_link, texts.CMD_WEB, staff_only=True)

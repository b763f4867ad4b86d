"""Platform events that are not messages: follow, unfollow, withheld content.

Zalo OA tells us when a citizen follows the commune's OA (greet them with
the menu, as /start does) and when they unfollow (stop messaging them: no
broadcasts, no proactive replies). The Bot Platform withholds the content
of messages from protected users (children, people with disabilities) and
sends "unsupported" instead; they still deserve a polite answer.
"""

from __future__ import annotations

from handlers import texts
from handlers.context import Context
from handlers.menu import main_menu, start
from handlers.messages import Incoming, Reply
from handlers.router import Feature, Router


async def on_follow(ctx: Context, msg: Incoming) -> list[Reply]:
    return await start(ctx, msg)


async def on_unfollow(ctx: Context, msg: Incoming) -> list[Reply]:
    """Mark the user unreachable and unsubscribed; nothing is sent (Zalo would refuse it)."""
    ctx.user.blocked = True
    ctx.user.subscriptions = []
    ctx.leave_flow()
    return []


async def on_unsupported(ctx: Context, msg: Incoming) -> list[Reply]:
    return [main_menu(ctx, texts.ZALO_UNSUPPORTED)]


FEATURE = Feature.CHANNEL_EVENTS


def register(router: Router) -> None:
    router.event("follow", on_follow)
    router.event("unfollow", on_unfollow)
    router.event("unsupported", on_unsupported)

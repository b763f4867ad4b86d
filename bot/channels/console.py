"""The console channel: a terminal chat with the bot, also scriptable.

In a terminal it prompts; with piped stdin it reads one message per line and
prints the replies, so `printf 'xin chào\n1\n' | motcua chat` works in scripts.
Buttons print as numbered lists; typing the number presses the button (the
dispatcher maps numbers to the last shown buttons).
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from handlers.dispatcher import Dispatcher
from handlers.messages import Incoming, Reply
from handlers.rendering import inline_documents, render_numbered_batch

CHANNEL = "console"
PROMPT = "bạn> "


def render(replies: list[Reply]) -> str:
    return "\n\n".join(f"bot> {part}" for part in render_numbered_batch(inline_documents(replies)))


async def run_console(
    dispatcher: Dispatcher,
    user: str,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    *,
    greet: bool = True,
) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    loop = asyncio.get_running_loop()

    async def say(text: str) -> None:
        replies = await dispatcher.handle(
            Incoming(channel=CHANNEL, platform_id=user, display_name=user, text=text)
        )
        stdout.write(render(replies) + "\n\n")
        stdout.flush()

    if greet and interactive:
        await say("/start")
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        if interactive and text.strip().lower() in ("/quit", "/exit", "/thoat"):
            break
        await say(text)
    return 0

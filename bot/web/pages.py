"""The page modules of the console; each exposes `routes: web.RouteTableDef` (paths under /staff).

Adding a page means adding its module here, nothing else.
"""

from __future__ import annotations

PAGE_MODULES: list[str] = [
    "bot.web.home",
    "bot.web.signin",
    "bot.web.signin_password",
    "bot.web.accounts",
    "bot.web.complaints",
    "bot.web.complaint_actions",
    "bot.web.stats_pages",
    "bot.web.improve_pages",
    "bot.web.conversations",
    "bot.web.announcements",
    "bot.web.dossiers",
    "bot.web.privacy",
]

"""The list of feature modules; each registers itself on the router.

Adding a capability means adding its module here, nothing else.
"""

from __future__ import annotations

from handlers import (
    answers,
    channel_events,
    complaints_staff,
    feedback,
    guide,
    handoff,
    menu,
    privacy,
    ratings,
    staff_tools,
)
from handlers.router import Router

FEATURES = [
    menu,
    answers,
    staff_tools,
    guide,
    channel_events,
    feedback,
    complaints_staff,
    handoff,
    ratings,
    privacy,
]


def build_router() -> Router:
    router = Router()
    for feature in FEATURES:
        feature.register(router)
    return router

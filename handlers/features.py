"""The list of feature modules; each registers itself on the router.

Adding a capability means adding its module here, nothing else.
"""

from __future__ import annotations

from handlers import (
    answers,
    broadcast,
    channel_events,
    complaints_staff,
    feedback,
    guide,
    handoff,
    menu,
    privacy,
    ratings,
    staff_tools,
    subscriptions,
    web_signin,
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
    subscriptions,
    broadcast,
    web_signin,
]


def build_router() -> Router:
    router = Router()
    for feature in FEATURES:
        router.feature(feature.FEATURE)
        feature.register(router)
    return router

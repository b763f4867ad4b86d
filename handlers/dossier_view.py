"""How a dossier reads to a citizen: its state, and (for its owner) the details and next step.

The same rendering serves a lookup and a follower's notice, so what a citizen
sees on asking is what they are sent on a change. The next step links the
walkthrough that fits the state: «Yêu cầu bổ sung» the procedure's documents
and how to add to a filed dossier, «Yêu cầu thanh toán» how to pay online.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.actions import Action
from handlers.buttons import ShowSection
from handlers.dossier_states import DossierState
from handlers.guide_actions import StartWalkthrough
from handlers.guide_view import find_walkthrough
from handlers.messages import Button, LinkButton
from handlers.router import Feature, Router
from knowledge.loader import KnowledgeBase
from knowledge.schema import Procedure
from storage.models_dossiers import Dossier


@dataclass(frozen=True)
class CheckOwner(Action, prefix="hs:c"):
    """Start the ownership check of a dossier (handlers/dossiers.py)."""

    dossier: int


@dataclass(frozen=True)
class Follow(Action, prefix="hs:f"):
    dossier: int


@dataclass(frozen=True)
class Unfollow(Action, prefix="hs:u"):
    """Under every look-up and notice of a followed dossier."""

    dossier: int


# Walkthrough ids of the bundled guides (knowledge/data/nhan-ket-qua.yaml, thanh-toan.yaml).
RESULT_WALKTHROUGH = "tra-cuu-ket-qua"  # finding a dossier, adding what is asked, receiving the result
PAYMENT_WALKTHROUGH = "thanh-toan-le-phi"


def local_time(value: dt.datetime, timezone: str, *, with_time: bool = True) -> str:
    local = value.astimezone(ZoneInfo(timezone))
    if not with_time or (local.hour, local.minute) == (0, 0):
        return f"{local:%d/%m/%Y}"
    return f"{local:%H:%M %d/%m/%Y}"


def state_label(state: str) -> str:
    return texts.DS_STATE.get(state, state)


def head(d: Dossier, timezone: str) -> str:
    return texts.DS_HEAD.format(code=d.code, state=state_label(d.state), at=local_time(d.state_at, timezone))


def details(d: Dossier, timezone: str) -> list[str]:
    """The lines only the dossier's owner sees: procedure, due date, the office's note, next step."""
    lines = [texts.DS_PROCEDURE.format(name=d.procedure_name)]
    if d.due_at is not None:
        lines.append(texts.DS_DUE.format(due=local_time(d.due_at, timezone)))
    if d.note:
        template = texts.DS_NOTE_SUPPLEMENT if d.state == DossierState.SUPPLEMENT_REQUESTED else texts.DS_NOTE
        lines.append(template.format(note=d.note))
    lines.append(texts.DS_NEXT_HEAD.format(next=texts.DS_NEXT.get(d.state, "")))
    return lines


def procedure_topic(kb: KnowledgeBase, procedure_code: str) -> str | None:
    """The knowledge base's procedure with this national procedure code, if it has one."""
    for topic in kb.topics.values():
        if isinstance(topic, Procedure) and topic.code and topic.code == procedure_code:
            return topic.id
    return None


def next_step_buttons(kb: KnowledgeBase, router: Router, d: Dossier) -> list[list[Button]]:
    """The walkthroughs that fit the state; only those the base and the features can show."""
    rows: list[list[Button]] = []
    if d.state == DossierState.SUPPLEMENT_REQUESTED:
        topic = procedure_topic(kb, d.procedure_code)
        if topic is not None and router.has(Feature.ANSWERS):
            rows.append([ShowSection(topic, "docs").button(texts.DS_BTN_PROCEDURE_DOCS)])
        rows += _walkthrough(kb, router, RESULT_WALKTHROUGH, texts.DS_BTN_SUPPLEMENT_GUIDE)
    elif d.state == DossierState.PAYMENT_REQUESTED:
        rows += _walkthrough(kb, router, PAYMENT_WALKTHROUGH, texts.DS_BTN_PAYMENT_GUIDE)
    elif d.state == DossierState.PROCESSED:
        rows += _walkthrough(kb, router, RESULT_WALKTHROUGH, texts.DS_BTN_RESULT_GUIDE)
    return rows


def _walkthrough(kb: KnowledgeBase, router: Router, wid: str, label: str) -> list[list[Button]]:
    if not router.has(Feature.GUIDE) or find_walkthrough(kb, wid) is None:
        return []
    action: Action = StartWalkthrough(wid)
    return [[action.button(label)]]


def portal_link(kb: KnowledgeBase) -> LinkButton:
    return LinkButton(texts.DS_BTN_PORTAL, kb.locality.national_portal)

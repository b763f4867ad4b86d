"""The tailored "nộp trực tuyến" walkthrough of one procedure, built from its data.

Every procedure that can be done online gets a walkthrough without anyone
writing one: its `online` block (portals, the name to search for, the form's
particular fields, the files to attach, the fee step) fills in the general
submission steps. The known problems of each step come from the general
walkthrough in nop-truc-tuyen.yaml (same step ids), so when an officer adds a
fix there, every tailored walkthrough shows it too. The result is validated by
the same model as the YAML walkthroughs, so a broken graph cannot reach users.
"""

from __future__ import annotations

import re
from typing import Any

from handlers import texts
from knowledge.loader import KnowledgeBase
from knowledge.normalize import fold
from knowledge.schema import Procedure
from knowledge.walkthrough_schema import Walkthrough

PREFIX = "nop:"
TEMPLATE_ID = "nop-ho-so"  # the general walkthrough whose step problems the tailored ones reuse
INSTALL_ID = "cai-dat-vneid"
PAY_ID = "thanh-toan-le-phi"
TRACK_ID = "tra-cuu-ket-qua"
NATIONAL_URL = "https://dichvucong.gov.vn"
POLICE_URL = "https://dichvucong.bocongan.gov.vn"
_URL = re.compile(r"(https?://\S+|(?:[a-z0-9-]+\.)+gov\.vn\S*)", re.I)
_cache: dict[tuple[int, str], Walkthrough | None] = {}


def walkthrough_id(procedure_id: str) -> str:
    return f"{PREFIX}{procedure_id}"


def procedure_of(walkthrough_id: str) -> str | None:
    return walkthrough_id[len(PREFIX) :] if walkthrough_id.startswith(PREFIX) else None


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;:") + "…"


def _join(items: list[str]) -> str:
    return "; ".join(i.rstrip(" .;") for i in items)


def _portal_url(portal: str, kb: KnowledgeBase) -> str:
    found = _URL.search(portal)
    if found:
        url = found.group(1).rstrip(").,;")
        return url if "://" in url else f"https://{url}"
    folded = fold(portal)
    if "bo cong an" in folded:
        return POLICE_URL
    if "tinh" in folded or "thanh pho" in folded:
        return kb.locality.provincial_portal
    return kb.locality.national_portal or NATIONAL_URL


def _split_portals(procedure: Procedure) -> tuple[list[str], bool]:
    """(web portals, whether the VNeID app is one of the ways)."""
    web: list[str] = []
    app = False
    for portal in procedure.online.portals:
        if "vneid" in fold(portal) and not _URL.search(portal):
            app = True
        else:
            web.append(portal)
    if not web and not app:
        web = [texts.TAILORED_DEFAULT_PORTAL]
    return web, app


def _template_problems(kb: KnowledgeBase) -> dict[str, list[dict[str, Any]]]:
    for guide in kb.guides:
        for w in guide.walkthroughs:
            if w.id == TEMPLATE_ID:
                return {s.id: [p.model_dump() for p in s.problems] for s in w.steps}
    return {}


def _known_walkthroughs(kb: KnowledgeBase) -> set[str]:
    return {w.id for g in kb.guides for w in g.walkthroughs}


def build(kb: KnowledgeBase, procedure: Procedure) -> Walkthrough | None:
    """The tailored walkthrough, or None when the procedure cannot be done online."""
    key = (id(kb), procedure.id)
    if key not in _cache:
        if len(_cache) > 512:  # knowledge reloads leave old bases behind; keep memory bounded
            _cache.clear()
        _cache[key] = _build(kb, procedure)
    return _cache[key]


def _build(kb: KnowledgeBase, p: Procedure) -> Walkthrough | None:
    o = p.online
    if o.level == "none":
        return None
    problems = _template_problems(kb)
    known = _known_walkthroughs(kb)
    loc = kb.locality
    search = o.search_name or p.name
    web, app = _split_portals(p)
    # "Không cần đính kèm…" written as an attachment means there is nothing to upload
    uploads = [a for a in o.attachments if not re.match(r"^(thuong )?khong (can|phai)", fold(a))]
    steps: list[dict[str, Any]] = []

    def add(step_id: str, title: str, text: str, **extra: Any) -> None:
        step: dict[str, Any] = {"id": step_id, "title": _cut(title, 80), "text": text}
        step.update({k: v for k, v in extra.items() if v})
        if problems.get(step_id):
            step["problems"] = problems[step_id]
        steps.append(step)

    prepare = texts.TAILORED_PREPARE.format(name=p.name, level=texts.TAILORED_LEVEL[o.level])
    if o.attachments:
        prepare += "\n" + texts.TAILORED_PREPARE_FILES.format(files=_join(o.attachments))
    prepare += "\n" + texts.TAILORED_PREPARE_ASK
    first_after = "chon-kenh" if web and app else ("dang-nhap" if web else "vneid-thu-tuc")
    overview = ""
    if o.steps:
        lines = "\n".join(f"{n}. {s}" for n, s in enumerate(o.steps[:10], 1))
        overview = texts.TAILORED_OWN_STEPS.format(steps=lines)
    if o.note:
        overview = f"{overview}\n{o.note}" if overview else o.note
    add(
        "chuan-bi",
        texts.TAILORED_PREPARE_TITLE,
        prepare,
        choices=[
            {"label": texts.TAILORED_HAVE_L2, "next": "tong-quan" if overview else first_after},
            {"label": texts.TAILORED_NO_L2, "next": "chua-muc-2"},
        ],
    )
    if overview:
        add("tong-quan", texts.TAILORED_OVERVIEW_TITLE, overview, next=first_after)
    add(
        "chua-muc-2",
        texts.TAILORED_NO_L2_TITLE,
        texts.TAILORED_NO_L2_TEXT,
        see=INSTALL_ID if INSTALL_ID in known else None,
        completes=False,
    )
    if web and app:
        add(
            "chon-kenh",
            texts.TAILORED_CHANNEL_TITLE,
            texts.TAILORED_CHANNEL_TEXT.format(portals=", ".join([*web, texts.TAILORED_APP_NAME])),
            choices=[
                {"label": texts.TAILORED_ON_WEB, "next": "dang-nhap"},
                {"label": texts.TAILORED_ON_APP, "next": "vneid-thu-tuc"},
            ],
        )
    after_form = "dinh-kem" if uploads else ("thanh-toan" if o.fee_step else "gui-ho-so")
    if p.agency.level == "commune":
        agency_hint = texts.TAILORED_AGENCY_COMMUNE.format(
            province=loc.province, agency=p.agency.name.rstrip("."), commune=loc.commune
        )
    else:
        agency_hint = texts.TAILORED_AGENCY_OTHER.format(
            agency=p.agency.name.rstrip("."), province=loc.province
        )
    if web:
        url = _portal_url(web[0], kb)
        add(
            "dang-nhap",
            texts.TAILORED_LOGIN_TITLE.format(portal=web[0]),
            texts.TAILORED_LOGIN_TEXT.format(url=url),
            link=url if url.startswith("https://") else None,
            choices=[
                {"label": texts.TAILORED_LOGIN_QR, "next": "dang-nhap-qr"},
                {"label": texts.TAILORED_LOGIN_PASSWORD, "next": "dang-nhap-mat-khau"},
            ],
        )
        add(
            "dang-nhap-qr",
            texts.TAILORED_QR_TITLE,
            texts.TAILORED_QR_TEXT,
            screen=texts.TAILORED_QR_SCREEN,
            next="tim-thu-tuc",
        )
        add(
            "dang-nhap-mat-khau",
            texts.TAILORED_PASSWORD_TITLE,
            texts.TAILORED_PASSWORD_TEXT,
            screen=texts.TAILORED_QR_SCREEN,
            next="tim-thu-tuc",
        )
        add(
            "tim-thu-tuc",
            texts.TAILORED_SEARCH_TITLE,
            texts.TAILORED_SEARCH_TEXT.format(search=search, agency=agency_hint),
            tap=texts.TAILORED_SEARCH_TAP,
            screen=texts.TAILORED_SEARCH_SCREEN,
            next="khai-to-khai",
        )
    if app:
        add(
            "vneid-thu-tuc",
            texts.TAILORED_APP_TITLE,
            texts.TAILORED_APP_TEXT.format(search=search),
            screen=texts.TAILORED_APP_SCREEN,
            next="khai-to-khai",
        )
    form = texts.TAILORED_FORM_TEXT
    if o.form_fields:
        form += "\n" + texts.TAILORED_FORM_FIELDS.format(fields=_join(o.form_fields))
    add("khai-to-khai", texts.TAILORED_FORM_TITLE, form, next=after_form)
    if uploads:
        add(
            "dinh-kem",
            texts.TAILORED_ATTACH_TITLE,
            texts.TAILORED_ATTACH_TEXT.format(files=_join(uploads)),
            tap=texts.TAILORED_ATTACH_TAP,
            next="thanh-toan" if o.fee_step else "gui-ho-so",
        )
    if o.fee_step:
        pay = texts.TAILORED_PAY_TEXT.format(fee_step=o.fee_step)
        amounts = [
            texts.TAILORED_FEE_AMOUNT.format(name=f.name, amount=f"{f.amount:,}".replace(",", "."))
            for f in p.fees
            if f.amount and not (f.valid_from or f.valid_until)  # dated rules: the card states today's
        ]
        if amounts:
            pay += "\n" + texts.TAILORED_PAY_FEES.format(fees=_join(amounts))
        add(
            "thanh-toan",
            texts.TAILORED_PAY_TITLE,
            pay,
            see=PAY_ID if PAY_ID in known else None,
            next="gui-ho-so",
        )
    add(
        "gui-ho-so",
        texts.TAILORED_SUBMIT_TITLE,
        texts.TAILORED_SUBMIT_TEXT,
        tap=texts.TAILORED_SUBMIT_TAP,
        screen=texts.TAILORED_SUBMIT_SCREEN,
        next="theo-doi",
    )
    track = texts.TAILORED_TRACK_TEXT.format(time=p.processing_time.rstrip(". "))
    if o.level == "partial":
        track += "\n" + texts.TAILORED_TRACK_PARTIAL.format(agency=p.agency.name)
    add(
        "theo-doi",
        texts.TAILORED_TRACK_TITLE,
        track,
        see=TRACK_ID if TRACK_ID in known else None,
    )
    return Walkthrough.model_validate(
        {
            "id": walkthrough_id(p.id),
            "title": _cut(texts.TAILORED_TITLE.format(name=p.name), 60),
            "skill": "nop-truc-tuyen",
            "steps": steps,
        }
    )

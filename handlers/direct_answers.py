"""Answering the question that was asked: an FAQ entry or the asked aspect first, with its source.

"khai sinh có mất phí không ạ" deserves "không mất lệ phí; bản sao 8.000 đồng"
before anything else, and the line it comes from. The direct answer is built
from the topic's own fields (or an FAQ entry written from an official text),
then the short card follows. Where the base holds nothing specific for the
aspect, the bot says so plainly instead of dressing the general card up as an
answer.

Buttons stay within five on every channel (Zalo OA's limit): the rating pair,
the two sections most useful after this answer, and «Thêm lựa chọn…».
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from handlers import texts
from handlers.buttons import Rate, RatingKind, Section, ShowSection, SubmitGuide
from handlers.context import Context
from handlers.menu import menu_button
from handlers.messages import Button
from handlers.router import Feature
from handlers.topic_text import current_fee_lines
from knowledge.aspects import Aspect, detect_aspect
from knowledge.faq import FaqHit, best_entry, best_for_aspect
from knowledge.fee_rules import current_fees
from knowledge.schema import Procedure, Source

MAX_DOCUMENTS = 6
MAX_FEES = 4
# The sections worth a button after an answer about an aspect (the rest are under «Thêm»).
_NEXT_SECTIONS: dict[Aspect | None, tuple[Section, Section]] = {
    None: ("docs", "fees"),
    Aspect.FEE: ("docs", "online"),
    Aspect.DOCUMENTS: ("fees", "online"),
    Aspect.ONLINE: ("docs", "fees"),
    Aspect.FORMS: ("docs", "online"),
}
_SECTION_LABELS: dict[Section, str] = {
    "docs": texts.BTN_DOCUMENTS,
    "fees": texts.BTN_FEES,
    "online": texts.BTN_ONLINE_STEPS,
    "legal": texts.BTN_LEGAL,
    "tips": texts.BTN_MISTAKES,
}


@dataclass(frozen=True)
class Direct:
    """A direct answer: its text, where it comes from, and how a rating names it."""

    text: str
    basis: str | None
    source: Source
    rating: tuple[RatingKind, str]  # (kind, target) of the 👍/👎 buttons
    aspect: Aspect | None = None
    faq_key: str | None = None


def source_line(basis: str | None, source: Source) -> str:
    checked = source.checked.strftime("%d/%m/%Y")
    if basis:
        return texts.SOURCE_LINE.format(basis=basis, source=source.title, checked=checked)
    return texts.SOURCE_LINE_NO_BASIS.format(source=source.title, checked=checked)


def from_faq(hit: FaqHit) -> Direct:
    e = hit.entry
    return Direct(e.answer, e.legal_basis, e.source, ("f", hit.key), faq_key=hit.key)


def _portals(p: Procedure) -> str:
    return ", ".join(p.online.portals) or "dichvucong.gov.vn"


def _fee(p: Procedure, today: dt.date) -> tuple[str, str | None, Source]:
    now = current_fees(p.fees, today)
    if not p.fees or (now and all(f.amount == 0 for f in now) and len(now) == len(p.fees)):
        basis = next((f.legal_basis for f in now if f.legal_basis), None)
        return texts.ASPECT_FEE_NONE.format(name=p.name), basis, p.source
    fee_lines = _fee_lines(p, today)
    lines = [texts.ASPECT_FEE_HEAD.format(name=p.name), *fee_lines[:MAX_FEES]]
    if len(fee_lines) > MAX_FEES or p.exemptions:
        lines.append(texts.ASPECT_FEE_MORE)
    cited = next((f for f in now if f.legal_basis and f.source), None)
    if cited is not None and cited.source is not None:
        return "\n".join(lines), cited.legal_basis, cited.source
    return "\n".join(lines), next((f.legal_basis for f in now if f.legal_basis), None), p.source


def _fee_lines(p: Procedure, today: dt.date) -> list[str]:
    """Today's fee lines; a rule the base has no amount for says where to look, as the card does.

    A bare «• Lệ phí đăng ký khai sinh quá hạn» under "Phí, lệ phí … hiện nay:" reads as if
    the amount had been cut off. The line is the fees section's own rendering of that rule
    (rendered alone), so its wording and conditions stay those of the section.
    """
    lines = current_fee_lines(p, today)
    for f in current_fees(p.fees, today):
        if f.amount is not None:
            continue
        alone = current_fee_lines(p.model_copy(update={"fees": [f]}), today)
        if alone and alone[0] in lines:
            at = lines.index(alone[0])
            lines[at] = texts.ASPECT_FEE_LINE_UNKNOWN.format(line=alone[0], unknown=texts.TOPIC_FEE_UNKNOWN)
    return lines


def _documents(p: Procedure) -> str:
    lines = [texts.ASPECT_DOCUMENTS_HEAD.format(name=p.name)]
    for n, d in enumerate(p.documents[:MAX_DOCUMENTS], 1):
        copies = texts.DOC_COPIES.format(copies=d.copies) if d.copies > 1 else ""
        original = texts.DOC_ORIGINAL if d.original_required else ""
        lines.append(texts.DOC_LINE.format(n=n, doc=d.name, copies=copies, original=original))
    if len(p.documents) > MAX_DOCUMENTS:
        lines.append(texts.ASPECT_DOCUMENTS_MORE.format(n=len(p.documents) - MAX_DOCUMENTS))
    return "\n".join(lines)


def _online(p: Procedure) -> str:
    o = p.online
    text = texts.ASPECT_ONLINE[o.level].format(name=p.name, portals=_portals(p), agency=p.agency.name)
    if o.level != "none" and o.steps:
        text += "\n" + texts.ASPECT_ONLINE_FIRST_STEPS.format(steps="; ".join(o.steps[:2]))
    return text


def _forms(p: Procedure) -> str | None:
    words = ("tờ khai", "mẫu", "đơn")
    forms = [d.name for d in p.documents if any(w in d.name.lower() for w in words)]
    return texts.ASPECT_FORMS.format(name=p.name, forms="; ".join(forms)) if forms else None


def from_aspect(p: Procedure, aspect: Aspect, today: dt.date) -> Direct:
    """The direct answer for `aspect` from the topic's fields; an honest "not known" where none."""
    basis: str | None = p.legal_basis[0] if p.legal_basis else None
    source = p.source
    text: str | None
    if aspect is Aspect.FEE:
        text, basis, source = _fee(p, today)
    elif aspect is Aspect.DOCUMENTS:
        text = _documents(p)
    elif aspect is Aspect.WHERE:
        text = texts.ASPECT_WHERE.format(name=p.name, agency=p.agency.name)
        if p.online.level != "none":
            text += " " + texts.ASPECT_WHERE_ONLINE.format(portals=_portals(p))
    elif aspect is Aspect.TIME:
        text = texts.ASPECT_TIME.format(name=p.name, time=p.processing_time)
    elif aspect is Aspect.WHO:
        text = texts.ASPECT_WHO.format(name=p.name, eligible=p.eligible)
    elif aspect is Aspect.ELIGIBILITY:
        text = texts.ASPECT_ELIGIBILITY.format(name=p.name, eligible=p.eligible)
    elif aspect is Aspect.ONLINE:
        text = _online(p)
    elif aspect is Aspect.FORMS:
        text = _forms(p)
    else:  # deadline, validity, result: only an FAQ entry knows these
        text = None
    if text is None:
        label = texts.ASPECT_LABELS[aspect.value]
        unknown = texts.ASPECT_UNKNOWN.format(aspect=label, name=p.name, agency=p.agency.name)
        return Direct(unknown, None, p.source, ("t", p.id), aspect=aspect)
    return Direct(text, basis, source, ("a", f"{p.id}.{aspect.value}"), aspect=aspect)


def choose_direct(p: Procedure, text: str, question: str | None, today: dt.date) -> Direct | None:
    """An FAQ entry that clearly matches, else the asked aspect, else None (the general card).

    Pure (no conversation state), so benchmarks/answer_bench.py scores exactly what the bot does.
    """
    hit = best_entry(p, text, question) or best_for_aspect(p, text, question)
    if hit is not None:
        return from_faq(hit)
    aspect = detect_aspect(text)
    return from_aspect(p, aspect, today) if aspect is not None else None


def compact_buttons(
    ctx: Context, p: Procedure, aspect: Aspect | None, rating: tuple[RatingKind, str] | None
) -> list[list[Button]]:
    """At most five buttons: the two most useful sections now, 👍/👎, and «Thêm lựa chọn…»."""
    first, second = _NEXT_SECTIONS.get(aspect, _NEXT_SECTIONS[None])
    primary = [ShowSection(p.id, first).button(_SECTION_LABELS[first])]
    if aspect in (None, Aspect.ONLINE) and _has_guide(ctx, p):
        # the step-by-step submission is what most citizens need next ("3 hướng dẫn")
        primary.append(SubmitGuide(p.id).button(texts.BTN_SUBMIT_GUIDE))
    else:
        primary.append(ShowSection(p.id, second).button(_SECTION_LABELS[second]))
    rows: list[list[Button]] = [primary]
    if rating is not None and ctx.has_feature(Feature.RATINGS):
        kind, target = rating
        useful, useless = Rate(kind, target, True), Rate(kind, target, False)
        rows.append([useful.button(texts.RT_BTN_YES), useless.button(texts.RT_BTN_NO)])
    rows.append([ShowSection(p.id, "more").button(texts.BTN_MORE)])
    return rows


def _has_guide(ctx: Context, p: Procedure) -> bool:
    return ctx.has_feature(Feature.GUIDE) and p.online.level != "none"


def more_buttons(ctx: Context, p: Procedure) -> list[list[Button]]:
    """Everything else about the topic, then the menu: still at most five."""
    sections: tuple[Section, ...] = ("docs", "fees", "online", "legal")
    choices: list[Button] = [ShowSection(p.id, s).button(_SECTION_LABELS[s]) for s in sections]
    if p.mistakes or p.notes:
        choices.append(ShowSection(p.id, "tips").button(texts.BTN_MISTAKES))
    if _has_guide(ctx, p):
        choices.insert(0, SubmitGuide(p.id).button(texts.BTN_SUBMIT_GUIDE))
    return [[b] for b in choices[:4]] + [menu_button()]


def section_buttons(ctx: Context, p: Procedure, shown: Section) -> list[list[Button]]:
    """Under one section: two other sections, «Thêm lựa chọn…» and the menu."""
    main: tuple[Section, ...] = ("docs", "fees", "online")
    others = [s for s in main if s != shown][:2]
    rows = [[ShowSection(p.id, s).button(_SECTION_LABELS[s]) for s in others]]
    rows.append([ShowSection(p.id, "more").button(texts.BTN_MORE)])
    rows.append(menu_button())
    return rows


__all__ = [
    "Direct",
    "choose_direct",
    "compact_buttons",
    "from_aspect",
    "from_faq",
    "more_buttons",
    "section_buttons",
    "source_line",
]

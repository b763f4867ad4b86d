"""A topic as plain text: fees as of a date, and the whole topic for `motcua kb show`.

Fee rendering lives here (not in answers.py) because it is shared by the
compact answer, the fees section and the staff view, and because it needs a
date: the bot states the rule valid today in the commune's time zone, warns
"đến hết ngày …" when it ends soon, and never states an expired rule.
"""

from __future__ import annotations

import datetime as dt

from handlers import texts
from handlers.menu import contact_text, reception_text
from knowledge.fee_rules import NOTICE_DAYS, current_fees, ends_soon, successor, timelines
from knowledge.loader import KnowledgeBase
from knowledge.schema import Fee, Guide, Procedure, Service

BRIEF_RULES = 3  # fee rules the compact card states before pointing to the fees section


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def _amount(f: Fee) -> str:
    return texts.FEE_FREE if f.amount == 0 else _vnd(f.amount or 0)


def _conditions(f: Fee, *, brief: bool = False) -> str:
    """The structured conditions, then the free-text one (left out of the brief card), as read."""
    parts = []
    if f.channel != "any":
        parts.append(texts.FEE_CONDITION[f.channel])
    if f.vneid_level2:
        parts.append(texts.FEE_CONDITION["vneid_level2"])
    if f.condition and not brief:
        parts.append(f.condition)
    return texts.FEE_CONDITIONS.format(conditions=", ".join(parts)) if parts else ""


def _until(fees: list[Fee], f: Fee, today: dt.date) -> str:
    """ "đến hết ngày …" when the rule ends within the notice period, and what follows it if known."""
    if not ends_soon(f, today, NOTICE_DAYS) or f.valid_until is None:
        return ""
    text = texts.FEE_UNTIL.format(date=_date(f.valid_until))
    nxt = successor(fees, f)
    if nxt is not None and nxt.amount is not None and nxt.valid_from is not None:
        text += texts.FEE_NEXT.format(date=_date(nxt.valid_from), amount=_amount(nxt))
    return text


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def fee_summary(p: Procedure, today: dt.date | None = None) -> str:
    """The one-line fee of the compact answer: an amount only when one rule applies to everyone."""
    day = _today(today)
    if not p.fees:
        return texts.TOPIC_FEE_FREE
    now = current_fees(p.fees, day)
    lapsed = {f.name.casefold() for f in p.fees} - {f.name.casefold() for f in now}
    if now and not lapsed and all(f.amount == 0 for f in now):
        return texts.TOPIC_FEE_FREE
    if len(now) == 1 and not lapsed and now[0].amount and now[0].channel == "any" and not now[0].vneid_level2:
        return _amount(now[0]) + _until(p.fees, now[0], day)
    if not now:
        return texts.TOPIC_FEE_VARIES
    # several rules: state the ones the base knows, briefly; the section has every detail
    parts = [
        f"{f.name}{_conditions(f, brief=True)}: "
        + (texts.TOPIC_FEE_UNKNOWN if f.amount is None else _amount(f) + _until(p.fees, f, day))
        for f in now[:BRIEF_RULES]
    ]
    more = texts.TOPIC_FEE_MORE if len(now) > BRIEF_RULES or lapsed else ""
    return "; ".join(parts) + more


def fees_section(p: Procedure, today: dt.date | None = None) -> str:
    """The fees section: every rule valid today with its conditions; a lapsed fee points to the office."""
    lines = [texts.SECTION_FEES.format(name=p.name)]
    if not p.fees:
        lines.append(texts.FEE_NONE)
    lines += current_fee_lines(p, today, basis=True)
    if p.exemptions:
        lines.append(texts.SECTION_EXEMPTIONS)
        lines += [f"• {e}" for e in p.exemptions]
    return "\n".join(lines)


def current_fee_lines(p: Procedure, today: dt.date | None = None, *, basis: bool = False) -> list[str]:
    """One line per fee rule valid today (with its conditions); a lapsed fee points to the office."""
    day = _today(today)
    lines: list[str] = []
    now = current_fees(p.fees, day)
    stated: set[str] = set()
    for f in p.fees:
        name = f.name.casefold()
        if f not in now:
            if name not in stated and not any(g.name.casefold() == name for g in now):
                stated.add(name)
                lines.append(texts.FEE_LAPSED.format(fee=f.name, office=p.agency.name))
            continue
        stated.add(name)
        label = f.name + _conditions(f)
        if f.amount is None:
            line = texts.FEE_LINE_NOAMOUNT.format(fee=label)
        else:
            line = texts.FEE_LINE_AMOUNT.format(fee=label, amount=_amount(f) + _until(p.fees, f, day))
        if basis:
            line = f"{line} ({f.note})" if f.note else line
            if f.legal_basis:
                line += texts.FEE_BASIS.format(basis=f.legal_basis)
        lines.append(line)
    return lines


def fee_timeline(p: Procedure, today: dt.date | None = None) -> str:
    """Every rule of every fee in date order, with its source: what staff re-check, and when."""
    day = _today(today)
    lines = [texts.TIMELINE_HEADER]
    for group in timelines(p.fees):
        first = group[0]
        lines.append(texts.TIMELINE_GROUP.format(fee=first.name, conditions=_conditions(first)))
        for f in group:
            amount = texts.TIMELINE_AMOUNT_VARIES if f.amount is None else _amount(f)
            source = f.source.title if f.source else texts.TIMELINE_NO_SOURCE
            checked = texts.TIMELINE_CHECKED.format(date=_date(f.source.checked)) if f.source else ""
            line = texts.TIMELINE_RULE.format(
                start=_date(f.valid_from) if f.valid_from else texts.TIMELINE_OPEN_START,
                end=_date(f.valid_until) if f.valid_until else texts.TIMELINE_OPEN_END,
                amount=amount,
                basis=f" ({f.legal_basis})" if f.legal_basis else "",
                source=source,
                checked=checked,
            )
            lines.append(line + (texts.TIMELINE_TODAY if f.valid_on(day) else ""))
    return "\n".join(lines)


def topic_full_text(
    kb: KnowledgeBase, topic: Procedure | Guide | Service, today: dt.date | None = None
) -> str:
    """The whole topic as staff review it; for a procedure, the fees as of `today` and their timeline."""
    from handlers.answers import procedure_summary, section_text  # answers imports this module

    if isinstance(topic, Procedure):
        parts = [procedure_summary(topic, today).rsplit("\n\n", 1)[0]]
        for section in ("docs", "fees", "online", "tips", "legal"):
            text = section_text(topic, section, today)
            if text:
                parts.append(text)
        if topic.fees:
            parts.append(fee_timeline(topic, today))
        return "\n\n".join(parts)
    if isinstance(topic, Service):
        extra = ""
        if topic.id == "lien-he":
            extra = "\n\n" + contact_text(kb.locality)
        elif topic.id == "lich-tiep-dan":
            extra = "\n\n" + reception_text(kb.locality)
        return f"{topic.name}\n{topic.body}{extra}"
    lines = [topic.name, topic.intro]
    for w in topic.walkthroughs:
        lines.append(f"\n{w.title}")
        lines += [f"- {s.title}: {s.text}" for s in w.steps]
    return "\n".join(lines)

"""The dashboard's panels: each figure of `storage.stats.Dashboard` as a chart and its table.

Ids become names here (topics, walkthroughs and their steps from the live
knowledge base, categories and labels from handlers.texts), so the template
only lays panels out and the same numbers feed the chart and the table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup

from bot.web.svg_charts import Series, columns, funnel, hbars, line
from handlers import texts
from handlers.feedback_core import category_label
from handlers.guide_view import find_walkthrough
from knowledge.loader import KnowledgeBase
from storage.stats import Dashboard, Funnel, Share

Cell = str | int | float | None


@dataclass
class Panel:
    id: str
    title: str
    chart: Markup
    head: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _day(d: dt.date) -> str:
    return d.strftime("%d/%m")


def topic_name(kb: KnowledgeBase, topic_id: str) -> str:
    topic = kb.get(topic_id)
    return topic.name if topic is not None else topic_id


def _share_row(label: str, share: Share) -> list[Cell]:
    return [label, share.up, share.down, percent(share.rate)]


def _questions(d: Dashboard) -> Panel:
    days = d.questions.per_day
    series = [
        Series(texts.ST_DECISIONS[key], [getattr(x, key) for x in days])
        for key in ("answer", "clarify", "fallback")
    ]
    rows: list[list[Cell]] = [[_day(x.day), x.answer, x.clarify, x.fallback, x.total] for x in days]
    q = d.questions
    rows.append([texts.ST_TOTAL, q.answered, q.clarified, q.refused, q.total])
    head = [texts.ST_DAY, *(texts.ST_DECISIONS[k] for k in ("answer", "clarify", "fallback")), texts.ST_TOTAL]
    return Panel(
        "questions",
        texts.ST_Q_TITLE,
        columns(texts.ST_Q_TITLE, [_day(x.day) for x in days], series),
        head,
        rows,
    )


def _topics(d: Dashboard, kb: KnowledgeBase) -> list[Panel]:
    topics = [(topic_name(kb, t), n) for t, n in d.questions.top_topics]
    aspects = [(texts.ST_ASPECTS.get(a, a), n) for a, n in d.questions.top_aspects]
    return [
        Panel("topics", texts.ST_TOPICS_TITLE, hbars(texts.ST_TOPICS_TITLE, topics),
              [texts.ST_TOPIC, texts.ST_COUNT], [[a, b] for a, b in topics]),
        Panel("aspects", texts.ST_ASPECTS_TITLE, hbars(texts.ST_ASPECTS_TITLE, aspects),
              [texts.ST_ASPECT, texts.ST_COUNT], [[a, b] for a, b in aspects]),
    ]  # fmt: skip


def _satisfaction(d: Dashboard, kb: KnowledgeBase) -> list[Panel]:
    s = d.satisfaction
    kinds = [
        (texts.ST_SAT_KINDS["answers"], s.answers),
        (texts.ST_SAT_KINDS["guides"], s.guides),
        (texts.ST_SAT_KINDS["complaints"], s.complaint_handling),
        (texts.ST_SAT_KINDS["handoffs"], s.handoffs),
    ]
    share_head = [texts.ST_TOPIC, texts.ST_UP, texts.ST_DOWN, texts.ST_RATE]
    rated = [(label, share.rate or 0.0) for label, share in kinds if share.total]
    overall = [*(_share_row(label, share) for label, share in kinds), _share_row(texts.ST_TOTAL, s.overall)]
    trend_points = [(_day(day), share.rate) for day, share in s.trend]
    trend_rows: list[list[Cell]] = [
        [_day(day), share.up, share.down, percent(share.rate)] for day, share in s.trend
    ]
    topic_rows = [_share_row(topic_name(kb, t), share) for t, share in s.topics.items()]
    guide_rows = [_share_row(_walkthrough_title(kb, w), share) for w, share in s.walkthroughs.items()]
    complaint_rows = [
        _share_row(category_label(c) if c else texts.ST_PA_NO_CATEGORY, share)
        for c, share in s.complaints.items()
    ]

    def shares(rows: list[list[Cell]]) -> Markup:
        return hbars("", [(str(r[0]), _rate(r)) for r in rows], percent=True)

    return [
        Panel("satisfaction", texts.ST_SAT_TITLE, hbars(texts.ST_SAT_TITLE, rated, percent=True), share_head, overall),
        Panel("trend", texts.ST_SAT_TREND, line(texts.ST_SAT_TREND, trend_points),
              [texts.ST_FROM_DAY, texts.ST_UP, texts.ST_DOWN, texts.ST_RATE], trend_rows),
        Panel("sat-topics", texts.ST_SAT_TOPIC_TITLE, shares(topic_rows), share_head, topic_rows),
        Panel("sat-guides", texts.ST_SAT_GUIDE_TITLE, shares(guide_rows), share_head, guide_rows),
        Panel("sat-complaints", texts.ST_SAT_COMPLAINT_TITLE, shares(complaint_rows), share_head, complaint_rows),
    ]  # fmt: skip


def _rate(row: list[Cell]) -> float:
    up, down = int(row[1] or 0), int(row[2] or 0)
    return up / (up + down) if up + down else 0.0


def _complaints(d: Dashboard) -> Panel:
    cats = d.complaints.categories
    labels = [category_label(c.category) if c.category else texts.ST_PA_NO_CATEGORY for c in cats]
    series = [
        Series(texts.ST_PA_RECEIVED, [c.received for c in cats]),
        Series(texts.ST_PA_RESOLVED, [c.resolved for c in cats]),
        Series(texts.ST_PA_ON_TIME, [c.on_time for c in cats]),
        Series(texts.ST_PA_OVERDUE, [c.overdue for c in cats]),
    ]
    head = [texts.ST_PA_CATEGORY, texts.ST_PA_RECEIVED, texts.ST_PA_RESOLVED, texts.ST_PA_ON_TIME,
            texts.ST_PA_LATE, texts.ST_PA_OVERDUE, texts.ST_PA_DAYS]  # fmt: skip
    rows: list[list[Cell]] = []
    for label, c in [*zip(labels, cats, strict=True), (texts.ST_TOTAL, d.complaints.total)]:
        days = "—" if c.average_days is None else f"{c.average_days:.1f}"
        rows.append([label, c.received, c.resolved, c.on_time, c.late, c.overdue, days])
    return Panel(
        "complaints", texts.ST_PA_TITLE, columns(texts.ST_PA_TITLE, labels, series, stacked=False), head, rows
    )


def _walkthrough_title(kb: KnowledgeBase, wid: str) -> str:
    w = find_walkthrough(kb, wid)
    return w.title if w is not None else wid


def funnel_stages(kb: KnowledgeBase, f: Funnel) -> list[tuple[str, int]]:
    """Started, then how many went past each step (in the walkthrough's order), then finished."""
    stages = [(texts.ST_GUIDE_STARTED, f.started)]
    w = find_walkthrough(kb, f.walkthrough_id)
    stops = dict(f.stops)
    remaining = f.started
    if w is not None:
        for i, step in enumerate(w.steps, 1):
            if step.is_end:
                continue
            remaining -= stops.pop(step.id, 0)
            stages.append((f"{texts.ST_GUIDE_STEP} {i}: {step.title}", remaining))
    stages.append((texts.ST_GUIDE_FINISHED, f.finished))
    return stages


def _funnels(d: Dashboard, kb: KnowledgeBase) -> list[Panel]:
    panels = []
    for f in d.funnels:
        title = f"{texts.ST_GUIDE_TITLE}: {_walkthrough_title(kb, f.walkthrough_id)}"
        stages = funnel_stages(kb, f)
        w = find_walkthrough(kb, f.walkthrough_id)
        steps = {s.id: s.title for s in w.steps} if w is not None else {}
        rows: list[list[Cell]] = [[label, n] for label, n in stages]
        rows += [[texts.ST_GUIDE_DETOUR, f.detour], [texts.ST_GUIDE_UNFINISHED, f.unfinished]]
        rows += [[f"{texts.ST_GUIDE_STOPS}: {steps.get(step, step)}", n] for step, n in f.stops[:3]]
        panels.append(
            Panel(
                f"funnel-{f.walkthrough_id}",
                title,
                funnel(title, stages),
                [texts.ST_GUIDE_STEP, texts.ST_COUNT],
                rows,
            )
        )
    return panels


def _announcements(d: Dashboard, tz: str) -> Panel:
    from zoneinfo import ZoneInfo

    items = d.announcements
    labels = [a.send_at.astimezone(ZoneInfo(tz)).strftime("%d/%m %H:%M") for a in items]
    series = [
        Series(texts.ST_BC_DELIVERED, [a.delivered for a in items]),
        Series(texts.ST_BC_BLOCKED, [a.blocked for a in items]),
        Series(texts.ST_BC_FAILED, [a.failed for a in items]),
        Series(texts.ST_BC_PENDING, [a.pending for a in items]),
    ]
    head = [texts.ST_BC_SENT_AT, texts.ST_BC_TEXT, texts.ST_BC_RECIPIENTS, texts.ST_BC_DELIVERED,
            texts.ST_BC_BLOCKED, texts.ST_BC_FAILED, texts.ST_BC_PENDING]  # fmt: skip
    rows: list[list[Cell]] = [
        [label, a.preview, a.recipients, a.delivered, a.blocked, a.failed, a.pending]
        for label, a in zip(labels, items, strict=True)
    ]
    return Panel("announcements", texts.ST_BC_TITLE, columns(texts.ST_BC_TITLE, labels, series), head, rows)


def _subscribers(d: Dashboard) -> list[Panel]:
    sub = d.subscribers
    topics = [(texts.SUB_TOPICS.get(k, k), n) for k, n in sub.by_topic.items()]
    areas = [(a or texts.ST_AREA_NONE, n) for a, n in sub.by_area.items()]
    area_rows: list[list[Cell]] = [[a, n] for a, n in areas]
    area_rows.append([texts.ST_SUB_TOTAL, sub.total])
    return [
        Panel("sub-topics", f"{texts.ST_SUB_TITLE} – {texts.ST_SUB_TOPIC}", hbars(texts.ST_SUB_TOPIC, topics),
              [texts.ST_SUB_TOPIC, texts.ST_COUNT], [[a, n] for a, n in topics]),
        Panel("sub-areas", f"{texts.ST_SUB_TITLE} – {texts.ST_SUB_AREA}", hbars(texts.ST_SUB_AREA, areas),
              [texts.ST_SUB_AREA, texts.ST_COUNT], area_rows),
    ]  # fmt: skip


def panels(d: Dashboard, kb: KnowledgeBase, tz: str) -> list[Panel]:
    return [
        _questions(d),
        *_topics(d, kb),
        *_satisfaction(d, kb),
        _complaints(d),
        *_funnels(d, kb),
        _announcements(d, tz),
        *_subscribers(d),
    ]

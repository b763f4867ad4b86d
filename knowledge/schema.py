"""Pydantic models of the knowledge base files.

The YAML files are edited by commune officers, so every model forbids unknown
fields (a typo in a field name must be reported, not silently ignored) and
every constraint carries a message that says what to fix.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from knowledge.walkthrough_schema import Walkthrough

TopicId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    """Base: unknown keys are errors, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Source(Strict):
    """Where a fact was checked and when; stale topics are flagged by `kb check`."""

    title: Text
    url: Text | None = None
    checked: dt.date


class Agency(Strict):
    """The competent agency after the 1 July 2025 two-level reform."""

    name: Text
    level: Literal["commune", "province", "central", "other"]
    note: str | None = None


class Document(Strict):
    """One item of the dossier (thành phần hồ sơ)."""

    name: Text
    copies: int = Field(default=1, ge=0, le=20)
    original_required: bool = False
    note: str | None = None


Channel = Literal["any", "online", "in_person"]


class Fee(Strict):
    """A fee rule: amount in VND (None when it varies; the note says why).

    Fees change by date (temporary reductions, waivers for filing online), so a
    rule may carry a validity period; without one it is valid always, which keeps
    files written before periods existed loading unchanged. The conditions the bot
    must choose between (channel, level-2 VNeID) are structured; anything else
    (exempt groups, the decree's own conditions) is free text in `condition`.
    Two rules with the same name and conditions must not overlap in time.
    """

    name: Text
    amount: int | None = Field(default=None, ge=0)
    note: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    channel: Channel = "any"
    vneid_level2: bool = False
    condition: str | None = None
    legal_basis: str | None = None
    source: Source | None = None

    @model_validator(mode="after")
    def _period_is_sound(self) -> Fee:
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValueError(f"valid_from {self.valid_from} is after valid_until {self.valid_until}")
        if (self.valid_from or self.valid_until) and self.source is None:
            raise ValueError("a fee with a validity period needs a source (title, url, checked)")
        return self

    @property
    def conditions(self) -> tuple[str, bool, str]:
        """What makes two rules of one fee apply to different people (not to different dates)."""
        return (self.channel, self.vneid_level2, (self.condition or "").casefold())

    @property
    def key(self) -> tuple[str, tuple[str, bool, str]]:
        return (self.name.casefold(), self.conditions)

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def overlaps(self, other: Fee) -> bool:
        start = max(self.valid_from or dt.date.min, other.valid_from or dt.date.min)
        end = min(self.valid_until or dt.date.max, other.valid_until or dt.date.max)
        return start <= end


class OnlineService(Strict):
    """How the procedure is done online; also feeds the tailored submit walkthrough."""

    level: Literal["full", "partial", "none"]
    portals: list[Text] = Field(default_factory=list)
    search_name: str | None = None
    steps: list[Text] = Field(default_factory=list)
    form_fields: list[Text] = Field(default_factory=list)
    attachments: list[Text] = Field(default_factory=list)
    fee_step: str | None = None
    note: str | None = None


class TopicBase(Strict):
    """What every topic has: identity and everything the matcher reads."""

    id: TopicId
    group: Text
    name: Text
    summary: Text
    aliases: list[Text] = Field(default_factory=list)
    keywords: list[Text] = Field(default_factory=list)
    examples: list[Text] = Field(default_factory=list)
    # topics a citizen easily confuses with this one: a close call between them
    # clarifies between them only (declaring one side is enough; an unknown id fails the load)
    related: list[TopicId] = Field(default_factory=list)
    source: Source


FaqId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]


class FaqEntry(Strict):
    """One question citizens actually ask about a procedure, answered from an official text.

    `questions` are the ways people ask it (written by us, never copied from
    public Q&A pages); the bot shows `answer` as the direct reply with the
    topic's card under it, and ends it with `legal_basis` and `source`.
    """

    id: FaqId
    questions: list[Text] = Field(min_length=1)
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=700)]
    legal_basis: Text | None = None
    source: Source


class Procedure(TopicBase):
    kind: Literal["procedure"]
    code: str | None = None
    agency: Agency
    eligible: Text
    documents: list[Document] = Field(min_length=1)
    fees: list[Fee] = Field(default_factory=list)
    exemptions: list[Text] = Field(default_factory=list)
    processing_time: Text
    legal_basis: list[Text] = Field(min_length=1)
    online: OnlineService
    mistakes: list[Text] = Field(default_factory=list)
    notes: list[Text] = Field(default_factory=list)
    faq: list[FaqEntry] = Field(default_factory=list)

    @field_validator("faq")
    @classmethod
    def _unique_faq_ids(cls, faq: list[FaqEntry]) -> list[FaqEntry]:
        seen: set[str] = set()
        for entry in faq:
            if entry.id in seen:
                raise ValueError(f"faq id {entry.id!r} is used twice")
            seen.add(entry.id)
        return faq

    @field_validator("examples")
    @classmethod
    def _enough_examples(cls, examples: list[str]) -> list[str]:
        if len(examples) < 5:
            raise ValueError(f"a procedure needs at least 5 example questions, found {len(examples)}")
        return examples

    @model_validator(mode="after")
    def _every_fee_has_a_source(self) -> Procedure:
        """A rule without its own source was read in the topic's source (the portal's record of
        the procedure, with its checked date): say so on the rule, so every stated amount
        carries where and when it was checked (answers print it; kb show lists it)."""
        self.fees = [
            f if f.source is not None else f.model_copy(update={"source": self.source}) for f in self.fees
        ]
        return self

    @field_validator("fees")
    @classmethod
    def _no_overlapping_rules(cls, fees: list[Fee]) -> list[Fee]:
        """Two rules for the same people on the same day contradict each other: refuse them."""
        clashes = []
        for i, a in enumerate(fees):
            for j in range(i + 1, len(fees)):
                b = fees[j]
                if a.key == b.key and a.overlaps(b):
                    clashes.append(f"fees[{i}] and fees[{j}] ({a.name!r}, same conditions) overlap in time")
        if clashes:
            raise ValueError("; ".join(clashes))
        return fees


class Guide(TopicBase):
    kind: Literal["guide"]
    intro: Text
    walkthroughs: list[Walkthrough] = Field(default_factory=list)


class Service(TopicBase):
    kind: Literal["service"]
    body: Text


Topic = Annotated[Procedure | Guide | Service, Field(discriminator="kind")]


class Link(Strict):
    label: Text
    url: Text


class ReceptionSlot(Strict):
    """One line of the citizen reception schedule (lịch tiếp công dân)."""

    when: Text
    who: Text
    where: Text | None = None


class WorkingHours(Strict):
    """Office hours: days are ISO weekdays (1 = Monday)."""

    days: list[Annotated[int, Field(ge=1, le=7)]] = Field(min_length=1)
    morning: tuple[dt.time, dt.time]
    afternoon: tuple[dt.time, dt.time] | None = None
    note: str | None = None


class Locality(Strict):
    """The deploying commune; a deployment replaces the bundled example."""

    example: bool = False
    commune: Text
    province: Text
    office_name: Text
    address: Text
    hotline: Text
    email: str | None = None
    working_hours: WorkingHours
    reception_schedule: list[ReceptionSlot] = Field(default_factory=list)
    provincial_portal: Text
    national_portal: Text = "https://dichvucong.gov.vn"
    links: list[Link] = Field(default_factory=list)
    areas: list[Text] = Field(default_factory=list)
    holidays: list[dt.date] = Field(default_factory=list)

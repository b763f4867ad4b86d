"""Pydantic models of the knowledge base files.

The YAML files are edited by commune officers, so every model forbids unknown
fields (a typo in a field name must be reported, not silently ignored) and
every constraint carries a message that says what to fix.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

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


class Fee(Strict):
    """A fee or charge; amount is in VND, None when it varies (the note says why)."""

    name: Text
    amount: int | None = Field(default=None, ge=0)
    note: str | None = None


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

    @field_validator("examples")
    @classmethod
    def _enough_examples(cls, examples: list[str]) -> list[str]:
        if len(examples) < 5:
            raise ValueError(f"a procedure needs at least 5 example questions, found {len(examples)}")
        return examples


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

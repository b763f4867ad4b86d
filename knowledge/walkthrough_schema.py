"""Walkthroughs as data: steps an officer can edit without touching code.

A walkthrough is a small graph of steps. Branches (Android or iPhone, bank app
or card) are choices that lead to different steps. Integrity (every `next`
points at an existing step, every step can reach an end) is checked on load.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

StepId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=24)]
Skill = Literal["nop-truc-tuyen", "thanh-toan", "phan-anh", "nhan-ket-qua", "ung-dung"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Problem(_Strict):
    """A known way to get stuck at a step, and its fix."""

    title: str = Field(min_length=1)
    fix: str = Field(min_length=1)


class Choice(_Strict):
    """A branch: the label the citizen taps and the step it leads to."""

    label: str = Field(min_length=1, max_length=40)
    next: StepId


class Step(_Strict):
    id: StepId
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    choices: list[Choice] = Field(default_factory=list, max_length=4)
    next: StepId | None = None
    problems: list[Problem] = Field(default_factory=list)


class Walkthrough(_Strict):
    id: StepId
    title: str = Field(min_length=1)
    skill: Skill
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _graph_is_sound(self) -> Walkthrough:
        ids = [s.id for s in self.steps]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"duplicate step ids: {', '.join(sorted(dupes))}")
        known = set(ids)
        for step in self.steps:
            targets = [c.next for c in step.choices] + ([step.next] if step.next else [])
            for target in targets:
                if target not in known:
                    raise ValueError(f"step {step.id!r} leads to unknown step {target!r}")
            if step.choices and step.next:
                raise ValueError(f"step {step.id!r} has both choices and next; use one")
        # every step must reach an end (a step with neither choices nor next)
        ends = {s.id for s in self.steps if not s.choices and not s.next}
        if not ends:
            raise ValueError("walkthrough has no final step")
        by_id = {s.id: s for s in self.steps}
        can_finish = set(ends)
        changed = True
        while changed:
            changed = False
            for step in self.steps:
                if step.id in can_finish:
                    continue
                targets = [c.next for c in step.choices] + ([step.next] if step.next else [])
                if any(t in can_finish for t in targets):
                    can_finish.add(step.id)
                    changed = True
        stuck = [i for i in ids if i not in can_finish]
        if stuck:
            raise ValueError(f"steps that cannot reach the end: {', '.join(stuck)}")
        del by_id
        return self

"""Walkthroughs as data: steps an officer can edit without touching code.

A walkthrough is a small graph of steps. Branches (Android or iPhone, bank app
or card) are choices that lead to different steps. The first step is where a
walkthrough starts. Integrity is checked on load, so an officer's typo stops
the load with a clear reason instead of stranding a citizen mid-way:

- step ids are unique; every `next` and choice points at an existing step;
- every step is reachable from the first one (a dead step is a forgotten link);
- the graph has no cycle ("back" is a button, not a link), so "Bước k/n" is
  well defined and every path ends;
- every step can reach an end, and at least one end completes the walkthrough
  (`completes: false` marks a detour end such as "get a level-2 account first").

Cross-walkthrough links (`see`) are checked by `check_links` once the whole
knowledge base is loaded, because they may point into another guide file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

StepId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=24)]
# YAML walkthroughs use plain slugs; generated ones (tailored per procedure) are "nop:<procedure-id>".
WalkthroughId = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*(:[a-z0-9]+(-[a-z0-9]+)*)?$", max_length=48)
]
Skill = Literal["nop-truc-tuyen", "thanh-toan", "phan-anh", "nhan-ket-qua", "ung-dung"]
# The "5 biết" in the order citizens learn them.
SKILLS: tuple[Skill, ...] = ("nop-truc-tuyen", "thanh-toan", "phan-anh", "nhan-ket-qua", "ung-dung")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Problem(_Strict):
    """A known way to get stuck at a step, and its fix."""

    title: str = Field(min_length=1, max_length=80)
    fix: str = Field(min_length=1)


class Choice(_Strict):
    """A branch: the label the citizen taps and the step it leads to."""

    label: str = Field(min_length=1, max_length=40)
    next: StepId


class Step(_Strict):
    """One message of a walkthrough.

    `text` says what to do; `tap` names what to press and `screen` what the
    citizen should then see, so they can tell whether it worked. `see` offers a
    related walkthrough (e.g. installing VNeID) as an extra button; `link` opens
    a page. `completes` only matters on an end step.
    """

    id: StepId
    title: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1)
    tap: str | None = None
    screen: str | None = None
    link: str | None = Field(default=None, pattern=r"^https://\S+$")
    choices: list[Choice] = Field(default_factory=list, max_length=4)
    next: StepId | None = None
    problems: list[Problem] = Field(default_factory=list, max_length=8)
    see: WalkthroughId | None = None
    completes: bool = True

    @property
    def is_end(self) -> bool:
        return not self.choices and not self.next

    def targets(self) -> list[str]:
        return [c.next for c in self.choices] + ([self.next] if self.next else [])


class Walkthrough(_Strict):
    id: WalkthroughId
    title: str = Field(min_length=1, max_length=60)
    skill: Skill
    summary: str | None = None
    steps: list[Step] = Field(min_length=1, max_length=40)

    @model_validator(mode="after")
    def _graph_is_sound(self) -> Walkthrough:
        ids = [s.id for s in self.steps]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"duplicate step ids: {', '.join(sorted(dupes))}")
        known = set(ids)
        for step in self.steps:
            if step.choices and step.next:
                raise ValueError(f"step {step.id!r} has both choices and next; use one")
            for target in step.targets():
                if target not in known:
                    raise ValueError(f"step {step.id!r} leads to unknown step {target!r}")
            labels = [c.label for c in step.choices]
            if len(set(labels)) != len(labels):
                raise ValueError(f"step {step.id!r} has two choices with the same label")
            if step.choices and len(step.choices) < 2:
                raise ValueError(f"step {step.id!r} has a single choice; use next instead")
        by_id = {s.id: s for s in self.steps}
        # reachable from the first step
        seen = {ids[0]}
        todo = [ids[0]]
        while todo:
            for target in by_id[todo.pop()].targets():
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        unreachable = [i for i in ids if i not in seen]
        if unreachable:
            raise ValueError(f"steps never reached from the first step: {', '.join(unreachable)}")
        cycle = _find_cycle(by_id)
        if cycle:
            raise ValueError(f"steps lead round in a circle: {' -> '.join(cycle)}")
        ends = [s for s in self.steps if s.is_end]
        if not ends:
            raise ValueError("walkthrough has no final step")
        if not any(s.completes for s in ends):
            raise ValueError("no final step completes the walkthrough (all have completes: false)")
        # acyclic, so every path from any step reaches an end
        return self

    # --- navigation helpers (the graph is validated, so these cannot loop) ---------
    @property
    def first(self) -> Step:
        return self.steps[0]

    def step(self, step_id: str) -> Step | None:
        for s in self.steps:
            if s.id == step_id:
                return s
        return None

    def remaining(self, step_id: str) -> int:
        """How many steps at most come after this one (the longest path to an end)."""
        by_id = {s.id: s for s in self.steps}
        memo: dict[str, int] = {}

        def longest(sid: str) -> int:
            if sid not in memo:
                targets = by_id[sid].targets()
                memo[sid] = 0 if not targets else 1 + max(longest(t) for t in targets)
            return memo[sid]

        return longest(step_id) if step_id in by_id else 0


def _find_cycle(by_id: dict[str, Step]) -> list[str] | None:
    """A cycle in the step graph as a list of ids, or None (iterative DFS)."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(by_id, white)
    for root in by_id:
        if colour[root] != white:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = []
        while stack:
            node, index = stack.pop()
            if index == 0:
                colour[node] = grey
                path.append(node)
            targets = by_id[node].targets()
            if index < len(targets):
                stack.append((node, index + 1))
                target = targets[index]
                if colour[target] == grey:
                    return [*path[path.index(target) :], target]
                if colour[target] == white:
                    stack.append((target, 0))
            else:
                colour[node] = black
                path.pop()
    return None


def check_links(walkthroughs: Iterable[Walkthrough]) -> list[str]:
    """Problems across walkthroughs: duplicate ids and `see` links to unknown walkthroughs."""
    problems: list[str] = []
    items = list(walkthroughs)
    ids = [w.id for w in items]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"walkthrough id {dup!r} is used more than once")
    known = set(ids)
    for w in items:
        for s in w.steps:
            if s.see and s.see not in known:
                problems.append(f"walkthrough {w.id!r}, step {s.id!r}: see: unknown walkthrough {s.see!r}")
    return problems

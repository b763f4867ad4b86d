"""Typed button actions: packing checks fields and size; unpacking rejects anything malformed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import pytest

from handlers.actions import Action, ActionError
from handlers.buttons import Rate, ShowSection
from handlers.messages import MAX_ACTION_BYTES


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class Sample(Action, prefix="zz:s"):
    name: str
    count: int
    flag: bool
    mode: Literal["a", "b"]
    colour: Colour
    maybe: int | None = None


def test_round_trip_of_every_field_type() -> None:
    action = Sample("khai-sinh", 42, True, "b", Colour.BLUE, None)
    packed = action.pack()
    assert packed == "zz:s:khai-sinh:42:1:b:blue"  # a trailing default is not sent
    assert Sample.unpack(packed) == action
    with_optional = Sample("x", 0, False, "a", Colour.RED, 7)
    assert Sample.unpack(with_optional.pack()) == with_optional


@pytest.mark.parametrize(
    "data",
    [
        "zz:s",  # fields missing
        "zz:s:x:1:1:a",  # a required field missing
        "zz:s:x:1:1:a:red:7:extra",  # one field too many
        "zz:s:x:-1:1:a:red",  # negative id
        "zz:s:x:99999999999999999999:1:a:red",  # past BIGINT: would overflow the database
        "zz:s:x:1:2:a:red",  # not a bool
        "zz:s:x:1:1:c:red",  # not one of the choices
        "zz:s:x:1:1:a:green",  # not a member of the enum
        "zz:s:x y:1:1:a:red",  # a space in a str field
        "zz:s:xé:1:1:a:red",  # not ASCII
        "zz:sx:x:1:1:a:red",  # another prefix that merely starts the same
        "zz:s:" + "x" * 80,  # over 64 bytes
    ],
)
def test_malformed_data_is_rejected(data: str) -> None:
    assert Sample.unpack(data) is None


def test_packing_refuses_what_cannot_travel() -> None:
    with pytest.raises(ActionError):
        Sample("has:colon", 1, True, "a", Colour.RED).pack()
    with pytest.raises(ActionError):
        Sample("x" * MAX_ACTION_BYTES, 1, True, "a", Colour.RED).pack()
    with pytest.raises(ActionError):
        Sample("x", -5, True, "a", Colour.RED).pack()
    with pytest.raises(ActionError):
        ShowSection("khai-sinh", "price").pack()  # type: ignore[arg-type]


def test_prefix_must_be_lower_case_words() -> None:
    with pytest.raises(TypeError):

        @dataclass(frozen=True)
        class Bad(Action, prefix="Bad Prefix"):
            pass


def test_cross_feature_actions_keep_their_strings() -> None:
    # buttons already sent to citizens keep working after the port
    assert Rate("t", "khai-sinh", True).pack() == "r:t:khai-sinh:1"
    assert ShowSection("khai-sinh", "docs").pack() == "d:khai-sinh:docs"

"""Typed button actions: a prefix and typed fields, packed into ≤ 64 ASCII bytes.

A button's action comes back from the platform as a string anyone can forge
(Telegram callback data, a Zalo payload typed as text). Each kind of button
is declared once as a frozen dataclass with a prefix; `pack` checks the
fields and the 64-byte limit when the button is made (a button that cannot
be sent fails in tests, not in a citizen's chat), and `unpack` rejects
unknown, malformed or out-of-range data before any handler or database call.
Features import each other's action classes instead of formatting strings.

    @dataclass(frozen=True)
    class ToggleTopic(Action, prefix="s:t"):
        topic: str

    ToggleTopic("chung").pack()         # "s:t:chung"
    ToggleTopic.unpack("s:t:chung")     # ToggleTopic(topic="chung")
    ToggleTopic.unpack("s:t:a:b")       # None

Field types: `str` (letters, digits, `_ . -`), `int` (0 … 10^18, so ids fit a
BIGINT), `bool` ("1"/"0"), a `Literal[...]` of strings or a `StrEnum`, each
optionally `| None` (packed as an empty field). Trailing fields with a
default may be left out of the packed form when they equal it.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable
from enum import StrEnum
from typing import Any, ClassVar, Self

from handlers.messages import MAX_ACTION_BYTES, Button

_TOKEN = re.compile(r"[A-Za-z0-9_.\-]*")
_PREFIX = re.compile(r"[a-z][a-z0-9_]*(?::[a-z0-9_]+)*")
_INT = re.compile(r"\d{1,18}")
SEP = ":"

Decoder = Callable[[str], Any]
Encoder = Callable[[Any], str]


class ActionError(ValueError):
    """A button that cannot be made (bad field, over 64 bytes): a programming error."""


def _codec_for(hint: Any) -> tuple[Encoder, Decoder]:
    """Encoder and decoder of one field type; decoders raise ValueError on bad data."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            raise TypeError(f"unsupported action field type {hint!r}")
        enc, dec = _codec_for(rest[0])
        return (lambda v: "" if v is None else enc(v)), (lambda s: None if s == "" else dec(s))
    if hint is bool:
        return (lambda v: "1" if v else "0"), _decode_bool
    if hint is int:
        return _encode_int, _decode_int
    if hint is str:
        return _encode_str, _decode_str
    if origin is typing.Literal:
        choices = frozenset(str(a) for a in args)
        return _encode_choice(choices), _decode_choice(choices)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        enum = hint
        return (lambda v: enum(v).value), enum
    raise TypeError(f"unsupported action field type {hint!r}")


def _decode_bool(s: str) -> bool:
    if s not in ("0", "1"):
        raise ValueError(s)
    return s == "1"


def _encode_int(v: int) -> str:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 10**18:
        raise ActionError(f"int field out of range: {v!r}")
    return str(v)


def _decode_int(s: str) -> int:
    if not _INT.fullmatch(s):
        raise ValueError(s)
    return int(s)


def _encode_str(v: str) -> str:
    if not isinstance(v, str) or not _TOKEN.fullmatch(v):
        raise ActionError(f"str field must be letters, digits, '_', '.', '-': {v!r}")
    return v


def _decode_str(s: str) -> str:
    if not _TOKEN.fullmatch(s):
        raise ValueError(s)
    return s


def _encode_choice(choices: frozenset[str]) -> Encoder:
    def encode(v: Any) -> str:
        if str(v) not in choices:
            raise ActionError(f"{v!r} is not one of {sorted(choices)}")
        return str(v)

    return encode


def _decode_choice(choices: frozenset[str]) -> Decoder:
    def decode(s: str) -> str:
        if s not in choices:
            raise ValueError(s)
        return s

    return decode


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    encode: Encoder
    decode: Decoder
    default: Any  # dataclasses.MISSING when required


class Action:
    """Base of every button action; subclasses are frozen dataclasses with a prefix."""

    prefix: ClassVar[str] = ""
    _fields: ClassVar[tuple[_Field, ...] | None] = None

    def __init_subclass__(cls, prefix: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not _PREFIX.fullmatch(prefix):
            raise TypeError(
                f"{cls.__name__}: action prefix {prefix!r} must be lower-case words joined by ':'"
            )
        cls.prefix = prefix
        cls._fields = None  # resolved lazily: the dataclass decorator runs after this hook

    @classmethod
    def _spec(cls) -> tuple[_Field, ...]:
        spec: tuple[_Field, ...] | None = cls.__dict__.get("_fields")
        if spec is None:
            if not dataclasses.is_dataclass(cls):
                raise TypeError(f"{cls.__name__} must be a dataclass")
            hints = typing.get_type_hints(cls)
            spec = tuple(
                _Field(f.name, *_codec_for(hints[f.name]), f.default)
                for f in dataclasses.fields(cls)
                if f.init
            )
            cls._fields = spec
        return spec

    def pack(self) -> str:
        """The action string; raises ActionError when a field or the size is wrong."""
        spec = self._spec()
        parts = [field.encode(getattr(self, field.name)) for field in spec]
        # trailing fields equal to their default need not travel
        while spec and parts and spec[len(parts) - 1].default is not dataclasses.MISSING:
            field = spec[len(parts) - 1]
            if getattr(self, field.name) != field.default:
                break
            parts.pop()
        packed = SEP.join([self.prefix, *parts])
        if len(packed.encode("ascii", "replace")) > MAX_ACTION_BYTES or not packed.isascii():
            raise ActionError(f"action {packed!r} is over {MAX_ACTION_BYTES} ASCII bytes")
        return packed

    def button(self, label: str) -> Button:
        return Button(label, self.pack())

    @classmethod
    def unpack(cls, data: str) -> Self | None:
        """The action in `data`, or None when it is not a well-formed one of this class."""
        if len(data) > MAX_ACTION_BYTES or not data.isascii():
            return None
        head = cls.prefix + SEP
        if data == cls.prefix:
            parts: list[str] = []
        elif data.startswith(head):
            parts = data[len(head) :].split(SEP)
        else:
            return None
        spec = cls._spec()
        if len(parts) > len(spec):
            return None
        values: dict[str, Any] = {}
        try:
            for i, field in enumerate(spec):
                if i < len(parts):
                    values[field.name] = field.decode(parts[i])
                elif field.default is dataclasses.MISSING:
                    return None
            return cls(**values)  # a codec's __post_init__ may check more (a code's shape)
        except (ValueError, TypeError):
            return None


def split_prefixes(data: str) -> list[str]:
    """The prefixes `data` could belong to, longest first: `a:b:c` → `a:b:c`, `a:b`, `a`."""
    parts = data.split(SEP)
    return [SEP.join(parts[:i]) for i in range(len(parts), 0, -1)]


__all__ = ["Action", "ActionError", "split_prefixes"]

"""Logging set-up: readable text on a terminal, one JSON object per line for collectors.

MOTCUA_LOG_FORMAT=json makes every record one line of JSON (time, level,
logger, message and the record's structured fields), which Loki, Elasticsearch
or `jq` read without parsing free text. The event lines of bot/metrics.py
carry only coarse fields (channel, latency, decision, topic, status), never a
message text or an identity.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has; anything else was passed with `extra=` and is a field.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: the structured fields of `extra=` at the top level."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                doc[key] = value
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The terminal format, with a record's structured fields appended as key=value."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extra = [
            f"{k}={v}" for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")
        ]
        return f"{text} {' '.join(extra)}" if extra else text


def configure(level: str, fmt: str = "text") -> None:
    """One handler on stderr in the chosen format (replacing the one set up before, if any).

    Like logging.basicConfig, it leaves alone handlers someone else installed
    (pytest's capture): it adds its own only when the root logger has none.
    """
    root = logging.getLogger()
    root.setLevel(level.upper())
    ours = [h for h in root.handlers if getattr(h, "_motcua", False)]
    if root.handlers and not ours:
        return
    for old in ours:
        root.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler._motcua = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)

"""Reading a webhook's JSON body without letting a hostile body crash the handler.

`json.loads` raises RecursionError (not ValueError) on deeply nested arrays,
which escaped every webhook handler as an HTTP 500 with a traceback. Here it
is a ValueError like any other unreadable body, so handlers answer 400, and
the warning is logged once per minute (a flood of such bodies must not fill
the log).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from storage.error_log import ErrorLog

log = logging.getLogger("motcua.webhook")
_errors = ErrorLog(log, level=logging.WARNING)


def loads(raw: str | bytes) -> Any:
    """`json.loads`, with nesting too deep to parse raised as ValueError."""
    try:
        return json.loads(raw)
    except RecursionError:
        _errors.failed("webhook body nested too deeply (answered 400)", ValueError("JSON nested too deeply"))
        raise ValueError("JSON nested too deeply") from None

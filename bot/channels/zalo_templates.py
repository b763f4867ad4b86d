"""Zalo ZBS Template Messages by user id: how motcua reaches a citizen after the 7-day window.

From 1 January 2026 ZNS became "ZBS Template Message"; since 1 March 2026 the OA's
free-form transaction messages are gone and an approved template sent by user id
is the way to notify someone who has not written for 7 days (see docs/zalo.md,
with the sources read). The call is

    POST {MOTCUA_ZALO_OA_API_URL}/v3.0/oa/message/template      header access_token
    {"user_id": "...", "template_id": "...", "template_data": {"<param>": "<value>", ...}}

answered like every OA call (`{"error": 0, "data": {"message_id": ...}}`, failures
as HTTP 200 with a negative `error`); it takes no `tracking_id`. Zalo's own page for
this call could not be read (docs/zalo.md says what was found and where); the error
codes below are those of Zalo's published ZNS error table (zalo.cloud), which the
template service continues. The template is
approved by Zalo beforehand (1-3 working days) with named parameters; the settings
say which template serves which purpose and which of our values fills each of its
parameters, e.g. MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_PARAMS=ma_ho_so=code,trang_thai=state.
Values are clipped to the length of the parameter type docs/zalo.md tells the
office to register, so Zalo does not refuse a long procedure name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.serialize import COMPLAINT_TEMPLATE, DOSSIER_TEMPLATE

if TYPE_CHECKING:
    from bot.config import Settings

TEMPLATE_PATH = "/v3.0/oa/message/template"

# zalo.cloud/zns/guidelines/handle-error-code (read 1 December 2026): -100 "Unknown error,
# try again later"; -109 template id invalid; -111 template data empty; -112 template data
# invalid. The last three are the office's configuration, never fixed by retrying.
ERR_UNKNOWN = -100
ERR_TEMPLATE_ID = -109
ERR_TEMPLATE_DATA_EMPTY = -111
ERR_TEMPLATE_DATA = -112
CONFIG_ERRORS = {
    ERR_TEMPLATE_ID: "the template id is not an approved template of this OA",
    ERR_TEMPLATE_DATA_EMPTY: "the template data is empty",
    ERR_TEMPLATE_DATA: "the template data does not match the template's parameters",
}

# Our values per purpose, with the longest text each may carry (the ZBS parameter types
# to register: code 30 "Mã số", status 30 "Trạng thái giao dịch", time 20 "Thời gian",
# names and free text 200 "Tên sản phẩm / thương hiệu" or "Địa chỉ", contact 50).
VALUES: dict[str, dict[str, int]] = {
    DOSSIER_TEMPLATE: {"code": 30, "state": 30, "procedure": 200, "due_date": 20, "note": 200},
    COMPLAINT_TEMPLATE: {"code": 30, "answer": 200, "office": 50},
}
_SETTING = {DOSSIER_TEMPLATE: "DOSSIER", COMPLAINT_TEMPLATE: "COMPLAINT"}
_PARAM = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,49}")
_TEMPLATE_ID = re.compile(r"[A-Za-z0-9]{1,40}")


def refusal(purpose: str, code: int, message: str) -> str:
    """Why Zalo refused a template send, naming the settings to check when they are at fault."""
    hint = CONFIG_ERRORS.get(code)
    if hint is None:
        return f"Zalo error {code}: {message}"
    suffix = _SETTING[purpose]
    return (
        f"Zalo error {code}: {hint}; check MOTCUA_ZALO_OA_TEMPLATE_{suffix}_ID and "
        f"MOTCUA_ZALO_OA_TEMPLATE_{suffix}_PARAMS against the approved template"
    )


class TemplateConfigError(ValueError):
    """A template setting that Zalo would refuse at the first send."""


@dataclass(frozen=True)
class TemplateSpec:
    template_id: str
    params: dict[str, str]  # the template's parameter -> our value's name

    def data(self, purpose: str, values: dict[str, str]) -> dict[str, str]:
        """The `template_data` object: every parameter filled, each within its length."""
        limits = VALUES[purpose]
        out: dict[str, str] = {}
        for param, key in self.params.items():
            text = " ".join((values.get(key) or "-").split()) or "-"
            limit = limits[key]
            out[param] = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
        return out


def parse_templates(settings: Settings) -> dict[str, TemplateSpec]:
    """The configured templates by purpose; TemplateConfigError names the variable at fault."""
    found: dict[str, TemplateSpec] = {}
    for purpose, suffix in _SETTING.items():
        template_id = getattr(settings, f"zalo_oa_template_{suffix.lower()}_id").strip()
        raw = getattr(settings, f"zalo_oa_template_{suffix.lower()}_params").strip()
        id_name = f"MOTCUA_ZALO_OA_TEMPLATE_{suffix}_ID"
        params_name = f"MOTCUA_ZALO_OA_TEMPLATE_{suffix}_PARAMS"
        if not template_id:
            if raw:
                raise TemplateConfigError(f"{params_name} is set but {id_name} is empty")
            continue
        if not _TEMPLATE_ID.fullmatch(template_id):
            raise TemplateConfigError(
                f"{id_name}={template_id!r} is not a Zalo template id (letters and digits)"
            )
        params: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in raw.split(","))):
            param, sep, key = (x.strip() for x in part.partition("="))
            if not sep or not _PARAM.fullmatch(param):
                raise TemplateConfigError(f"{params_name}: {part!r} is not param=value (e.g. ma_ho_so=code)")
            if key not in VALUES[purpose]:
                raise TemplateConfigError(
                    f"{params_name}: {key!r} is not one of {', '.join(VALUES[purpose])}"
                )
            if param in params:
                raise TemplateConfigError(f"{params_name}: parameter {param!r} given twice")
            params[param] = key
        if not params:
            raise TemplateConfigError(
                f"{id_name} is set but {params_name} is empty: say which value fills each template parameter"
            )
        found[purpose] = TemplateSpec(template_id, params)
    return found

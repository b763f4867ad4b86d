"""Fees that change by date: which rule the bot states, its end notice, and what kb check/show say."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from handlers import texts
from handlers.topic_text import fee_summary, fee_timeline, fees_section
from knowledge.fee_rules import current_fees, expiring, local_today, successor
from knowledge.loader import load_knowledge
from knowledge.schema import Procedure
from tests.conftest import FIXTURE_KB
from tests.test_cli import motcua

D = dt.date
SOURCE = {"title": "Thông tư mẫu", "checked": "2026-12-01"}
REDUCED = {
    "name": "Cấp đổi thẻ",
    "amount": 25000,
    "valid_from": "2025-07-01",
    "valid_until": "2026-12-31",
    "legal_basis": "Thông tư 64/2025/TT-BTC",
    "source": SOURCE,
}
FULL = {"name": "Cấp đổi thẻ", "amount": 50000, "valid_from": "2027-01-01", "source": SOURCE}
WAIVER = {
    "name": "Cấp đổi thẻ",
    "amount": 0,
    "channel": "online",
    "vneid_level2": True,
    "valid_from": "2026-08-15",
    "valid_until": "2027-02-28",
    "source": SOURCE,
}


def procedure(*fees: dict[str, Any]) -> Procedure:
    data = yaml.safe_load((FIXTURE_KB / "khai-sinh.yaml").read_text(encoding="utf-8"))
    data["fees"] = list(fees)
    return Procedure.model_validate(data)


def kb_copy(tmp_path: Path, *fees: dict[str, Any]) -> Path:
    directory = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, directory)
    path = directory / "khai-sinh.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["fees"] = list(fees)
    data["source"]["checked"] = "2026-12-01"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    tam_tru = directory / "tam-tru.yaml"  # the fixture's deliberately stale topic, made current
    tam = yaml.safe_load(tam_tru.read_text(encoding="utf-8"))
    tam["source"]["checked"] = "2026-12-01"
    tam_tru.write_text(yaml.safe_dump(tam, allow_unicode=True), encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 6, 30), []),  # before the period: nothing is stated
        (D(2025, 7, 1), [25000]),  # first day counts
        (D(2026, 12, 31), [25000]),  # last day counts
        (D(2027, 1, 1), [50000]),  # the successor takes over the next day
    ],
)
def test_rule_selection_before_inside_and_after_a_period(day: dt.date, expected: list[int]) -> None:
    p = procedure(REDUCED, FULL)
    assert [f.amount for f in current_fees(p.fees, day)] == expected


def test_a_fee_without_a_period_is_valid_always() -> None:
    p = procedure({"name": "Lệ phí", "amount": 8000})
    assert [f.amount for f in current_fees(p.fees, D(1990, 1, 1))] == [8000]
    assert [f.amount for f in current_fees(p.fees, D(2099, 1, 1))] == [8000]
    assert fee_summary(p, D(2026, 12, 1)) == "8.000 đồng"


def test_expired_rule_is_never_stated_and_the_office_is_named() -> None:
    p = procedure(REDUCED)
    text = fees_section(p, D(2027, 1, 2))
    assert "25.000" not in text
    assert texts.FEE_LAPSED.format(fee="Cấp đổi thẻ", office=p.agency.name) in text.splitlines()
    assert fee_summary(p, D(2027, 1, 2)) == texts.TOPIC_FEE_VARIES


def test_until_notice_within_30_days_with_what_follows() -> None:
    p = procedure(REDUCED, FULL)
    notice = texts.FEE_UNTIL.format(date="31/12/2026") + texts.FEE_NEXT.format(
        date="01/01/2027", amount="50.000 đồng"
    )
    assert fee_summary(p, D(2026, 12, 1)) == "25.000 đồng" + notice
    assert fee_summary(p, D(2026, 11, 30)) == "25.000 đồng"  # 31 days left: no notice yet
    line = texts.FEE_LINE_AMOUNT.format(fee="Cấp đổi thẻ", amount="25.000 đồng" + notice)
    assert line + texts.FEE_BASIS.format(basis="Thông tư 64/2025/TT-BTC") in fees_section(p, D(2026, 12, 1))


def test_conditions_are_stated_with_the_rule() -> None:
    p = procedure(REDUCED, FULL, WAIVER)
    lines = fees_section(p, D(2026, 9, 1)).splitlines()
    conditions = texts.FEE_CONDITIONS.format(
        conditions=f"{texts.FEE_CONDITION['online']}, {texts.FEE_CONDITION['vneid_level2']}"
    )
    assert texts.FEE_LINE_AMOUNT.format(fee="Cấp đổi thẻ" + conditions, amount=texts.FEE_FREE) in lines
    # two rules apply to different people: the card states both, briefly, instead of "theo quy định"
    assert (
        fee_summary(p, D(2026, 9, 1))
        == f"Cấp đổi thẻ: 25.000 đồng; Cấp đổi thẻ{conditions}: {texts.FEE_FREE}"
    )
    assert successor(p.fees, p.fees[0]) is p.fees[1]


def test_overlapping_rules_with_the_same_conditions_are_refused() -> None:
    with pytest.raises(ValidationError, match="overlap in time"):
        procedure(REDUCED, {**FULL, "valid_from": "2026-12-31"})
    procedure(REDUCED, FULL, WAIVER)  # a different channel is not a contradiction


def test_a_dated_rule_needs_a_source_and_an_ordered_period() -> None:
    with pytest.raises(ValidationError, match="needs a source"):
        procedure({k: v for k, v in REDUCED.items() if k != "source"})
    with pytest.raises(ValidationError, match="is after"):
        procedure({**REDUCED, "valid_from": "2027-01-01"})


def test_expiry_warning_45_days_ahead_unless_a_successor_is_encoded() -> None:
    alone = procedure(REDUCED)
    assert [e.days_left for e in expiring([alone], D(2026, 11, 16))] == [45]
    assert expiring([alone], D(2026, 11, 15)) == []  # 46 days left
    assert expiring([procedure(REDUCED, FULL)], D(2026, 12, 1)) == []


def test_today_is_the_communes_day_not_utcs() -> None:
    late_utc = dt.datetime(2026, 12, 31, 18, 0, tzinfo=dt.UTC)  # already 1 January in Hà Nội
    assert local_today("Asia/Ho_Chi_Minh", late_utc) == D(2027, 1, 1)


def test_timeline_lists_every_rule_in_order_and_marks_today() -> None:
    p = procedure(FULL, REDUCED)
    lines = fee_timeline(p, D(2026, 12, 1)).splitlines()
    assert lines[0] == texts.TIMELINE_HEADER
    assert lines[2].startswith("  01/07/2025 → 31/12/2026") and lines[2].endswith(texts.TIMELINE_TODAY)
    assert lines[3].startswith("  01/01/2027 → " + texts.TIMELINE_OPEN_END)


def test_kb_check_fails_on_overlap_and_warns_before_an_end(tmp_path: Path) -> None:
    env = {"MOTCUA_DATA_DIR": str(tmp_path)}
    overlap = kb_copy(tmp_path / "a", REDUCED, {**FULL, "valid_from": "2026-06-01"})
    bad = motcua("kb", "check", str(overlap), env=env)
    assert bad.returncode == 1 and "overlap in time" in bad.stderr
    ending = kb_copy(tmp_path / "b", REDUCED)
    warned = motcua("kb", "check", str(ending), "--today", "2026-12-01", env=env)
    assert warned.returncode == 0
    assert [
        line.split(":")[1].strip() for line in warned.stdout.splitlines() if line.startswith("warning")
    ] == ["khai-sinh"]
    covered = kb_copy(tmp_path / "c", REDUCED, FULL)
    clean = motcua("kb", "check", str(covered), "--today", "2026-12-01", env=env)
    assert clean.returncode == 0 and "warning" not in clean.stdout


def test_kb_show_prints_the_timeline(tmp_path: Path) -> None:
    env = {"MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_KNOWLEDGE_DIR": str(kb_copy(tmp_path, REDUCED, FULL))}
    shown = motcua("kb", "show", "khai-sinh", "--today", "2027-01-05", env=env)
    assert shown.returncode == 0
    lines = shown.stdout.splitlines()
    assert texts.TIMELINE_HEADER in lines
    today = [line for line in lines if line.endswith(texts.TIMELINE_TODAY)]
    assert len(today) == 1 and today[0].startswith("  01/01/2027")


def test_bundled_base_needs_no_warning_on_the_day_it_was_verified() -> None:
    kb = load_knowledge()  # loading also proves no two bundled rules overlap
    assert expiring(kb.procedures, D(2026, 12, 1)) == []

"""docs/dossiers.openapi.yaml says what bot/dossier_api.py and handlers/dossier_events.py do."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.dossier_api import MAX_BODY_BYTES, PATH, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from handlers.dossier_events import FIELDS, MAX_LENGTH, REQUIRED
from handlers.dossier_states import PORTAL_NAMES, DossierState

DOC = Path(__file__).resolve().parent.parent / "docs" / "dossiers.openapi.yaml"


def spec() -> dict:
    return yaml.safe_load(DOC.read_text(encoding="utf-8"))


def test_it_is_an_openapi_3_document_with_the_one_path() -> None:
    doc = spec()
    assert doc["openapi"].startswith("3.")
    assert list(doc["paths"]) == [PATH]
    assert set(doc["paths"][PATH]) == {"post"}


def test_the_event_schema_matches_the_validator_field_by_field() -> None:
    schema = spec()["components"]["schemas"]["DossierEvent"]
    assert list(schema["properties"]) == list(FIELDS)
    assert schema["required"] == list(REQUIRED)
    assert schema["additionalProperties"] is False  # unknown fields are refused
    for name, prop in schema["properties"].items():
        assert prop["type"] == "string", name
        assert prop["maxLength"] == MAX_LENGTH[name], name
    assert schema["properties"]["state"]["enum"] == [s.value for s in DossierState]
    description = schema["properties"]["state"]["description"]
    for state, name in PORTAL_NAMES.items():
        assert f"{state.value} = {name}" in " ".join(description.split()), state


def test_headers_signature_and_responses_match_the_endpoint() -> None:
    post = spec()["paths"][PATH]["post"]
    headers = {p["name"]: p for p in post["parameters"] if p["in"] == "header"}
    assert set(headers) == {SIGNATURE_HEADER, TIMESTAMP_HEADER}
    assert all(h["required"] for h in headers.values())
    assert re.fullmatch(
        headers[SIGNATURE_HEADER]["schema"]["pattern"], signature("k" * 32, "1700000000", b"{}")
    )
    assert set(post["responses"]) == {"200", "400", "401", "413", "422"}
    assert str(MAX_BODY_BYTES) in post["responses"]["413"]["description"]
    accepted = spec()["components"]["schemas"]["Accepted"]["properties"]
    assert accepted["status"]["enum"] == ["accepted", "duplicate"]

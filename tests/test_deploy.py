"""The deployment kit (deploy/) agrees with the code: constraints, compose, systemd, docs.

Regenerate the constraints after changing dependencies, in the tested environment:
    .venv/bin/python -m tests.test_deploy > deploy/constraints.txt
"""

from __future__ import annotations

import os
import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def runtime_closure() -> dict[str, str]:
    """Every distribution `pip install .` pulls in (no extras), with the version installed here."""
    pinned: dict[str, str] = {}
    todo = [Requirement(r) for r in distribution("motcua").requires or []]
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name in pinned:
            continue
        try:
            dist = distribution(req.name)
        except PackageNotFoundError:
            continue  # optional on this platform
        pinned[name] = dist.version
        todo += [Requirement(r) for r in dist.requires or []]
    return pinned


def render() -> str:
    head = "# Versions CI tested; the image installs with `pip install -c constraints.txt .`\n"
    head += "# Regenerate: .venv/bin/python -m tests.test_deploy > deploy/constraints.txt\n"
    return head + "".join(f"{name}=={version}\n" for name, version in sorted(runtime_closure().items()))


def pins() -> dict[str, str]:
    lines = (DEPLOY / "constraints.txt").read_text().splitlines()
    return dict(line.split("==", 1) for line in lines if line and not line.startswith("#"))


def test_constraints_pin_every_runtime_dependency_within_pyproject() -> None:
    pinned = pins()
    assert set(pinned) == set(runtime_closure()), "deploy/constraints.txt is stale; regenerate it"
    for requirement in distribution("motcua").requires or []:
        req = Requirement(requirement)
        if req.marker is None:
            assert pinned[canonicalize_name(req.name)] in req.specifier, req


def test_ci_installs_the_pinned_versions() -> None:
    """CI installs with PIP_CONSTRAINT=deploy/constraints.txt, so what it tests is what the image gets."""
    if not os.environ.get("PIP_CONSTRAINT"):
        pytest.skip("PIP_CONSTRAINT not set (a developer's own environment may be newer)")
    assert runtime_closure() == pins()


def test_dockerfile_installs_with_the_constraints() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY deploy/constraints.txt" in dockerfile and "-c constraints.txt" in dockerfile


def test_compose_two_workers_postgres_caddy_and_grace() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    workers = [s for s in services.values() if s.get("command") == ["motcua", "run"]]
    assert len(workers) == 2
    grace = 25  # MOTCUA_TELEGRAM_SHUTDOWN_GRACE's default, set in .env.example as well
    for worker in workers:
        seconds = int(re.fullmatch(r"(\d+)s", worker["stop_grace_period"]).group(1))  # type: ignore[union-attr]
        assert seconds > grace + 5
        assert "healthcheck" in worker
        assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["caddy"]
    assert services["migrate"]["command"] == ["motcua", "db", "upgrade"]
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    directives = [line for line in caddyfile.splitlines() if not line.lstrip().startswith("#")]
    assert not any("/metrics" in line for line in directives)  # metrics stay on the internal network


def test_systemd_unit_stops_after_the_grace_and_reloads_with_sighup() -> None:
    unit = (DEPLOY / "motcua.service").read_text()
    assert "ExecReload=/bin/kill -HUP $MAINPID" in unit
    stop = int(re.search(r"TimeoutStopSec=(\d+)", unit).group(1))  # type: ignore[union-attr]
    assert stop > 25
    assert "MOTCUA_DATA_DIR=/var/lib/motcua" in unit


def test_deploy_doc_is_in_both_languages_and_names_every_file() -> None:
    doc = (ROOT / "docs" / "deploy.md").read_text()
    assert "## Tiếng Việt" in doc and "## English" in doc
    for name in ("docker-compose.yml", ".env.example", "Caddyfile", "motcua.service", "constraints.txt"):
        assert name in doc


if __name__ == "__main__":
    print(render(), end="")

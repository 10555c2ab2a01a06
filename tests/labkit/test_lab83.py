"""Tests for the lab83 checks: hardened Dockerfile, manifest and 12-factor config."""

from __future__ import annotations

from labkit.checks import lab83

INSECURE = "FROM python:latest\nENV API_KEY=abc\nCMD python app.py\n"


def test_are_root_unpinned_and_baked_secrets_high_findings() -> None:
    rules = {f["rule"] for f in lab83.high(lab83.dockerfile_findings(INSECURE))}
    assert {"P-D1", "P-D2", "P-D4"} <= rules


def test_does_hadolint_report_its_own_rules() -> None:
    assert "DL3025" in {f["rule"] for f in lab83.hadolint_findings(INSECURE)}


def test_is_a_schema_error_a_high_finding() -> None:
    manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: two}\n"
    assert lab83.high(lab83.manifest_findings(manifest))[0]["rule"] == "SCHEMA"


def test_is_bad_yaml_reported_not_raised() -> None:
    assert lab83.manifest_findings("a: [")[0]["rule"] == "YAML"

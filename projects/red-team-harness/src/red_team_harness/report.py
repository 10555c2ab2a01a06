"""Render results as Markdown and HTML (Jinja2 templates), plus JSONL and JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from red_team_harness.battery import CATEGORIES
from red_team_harness.runner import AttackResult, Summary


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:160]


def render(summaries: Sequence[Summary], results: Sequence[AttackResult]) -> dict[str, str]:
    """Render the report as ``{"report.md": ..., "report.html": ...}``.

    HTML is autoescaped, so an attack's answer (attacker-controlled text) cannot inject
    markup into the report itself.
    """
    if not summaries:
        raise ValueError("nothing to report: no summaries")
    environment = Environment(
        loader=PackageLoader("red_team_harness", "templates"),
        autoescape=select_autoescape(["html.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    categories = [c for c in CATEGORIES if any(c in s.asr_by_category for s in summaries)]
    context = {
        "model": summaries[0].model,
        "summaries": summaries,
        "results": results,
        "categories": categories,
        "attacks": summaries[0].attacks,
        "benign": summaries[0].benign,
        "pct": _pct,
        "cell": _cell,
    }
    return {
        name: environment.get_template(f"{name}.j2").render(**context)
        for name in ("report.md", "report.html")
    }


def write_report(
    out_dir: str | Path, summaries: Sequence[Summary], results: Sequence[AttackResult]
) -> list[Path]:
    """Write report.md, report.html, results.jsonl and summary.json into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = render(summaries, results)
    files["results.jsonl"] = "".join(json.dumps(r.as_row()) + "\n" for r in results)
    files["summary.json"] = json.dumps([asdict(s) for s in summaries], indent=2) + "\n"
    written = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

"""A static metrics dashboard: evaluation history (JSON lines) in, one self-contained HTML out.

No JavaScript library and no CDN: the charts are inline SVG, so the page works offline, in a
CI artefact, or embedded in the book.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from enterprise_rag.evaluation import THRESHOLDS, EvalRun

WIDTH, HEIGHT, PAD = 360, 160, 28
STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:60rem}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem}
.pass{color:#17633a;font-weight:600}.fail{color:#a4161a;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0}
figcaption{font-size:.9rem;text-align:center}
"""


def line_chart(name: str, values: Sequence[float], threshold: float | None) -> str:
    """Return an inline SVG line chart of one metric over runs, with its threshold dashed."""
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def x(i: int) -> float:
        return PAD + (inner_w * i / (len(values) - 1) if len(values) > 1 else inner_w / 2)

    def y(v: float) -> float:
        return PAD + inner_h * (1 - max(0.0, min(1.0, v)))

    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3">'
        f"<title>run {i + 1}: {v:.3f}</title></circle>"
        for i, v in enumerate(values)
    )
    limit = (
        f'<line class="threshold" x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(threshold):.1f}" '
        f'y2="{y(threshold):.1f}" stroke="#a4161a" stroke-dasharray="4 3"/>'
        if threshold is not None
        else ""
    )
    axis = "".join(
        f'<text x="4" y="{y(t) + 4:.1f}" font-size="10">{t:.1f}</text>' for t in (0.0, 0.5, 1.0)
    )
    return (
        f'<figure><svg role="img" aria-label="{html.escape(name)} over runs" '
        f'data-metric="{html.escape(name)}" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg">'
        f'<rect x="{PAD}" y="{PAD}" width="{inner_w}" height="{inner_h}" fill="#f6f8fa"/>'
        f"{axis}{limit}"
        f'<polyline fill="none" stroke="#1f6feb" stroke-width="2" points="{points}"/>{dots}'
        f"</svg><figcaption>{html.escape(name)}</figcaption></figure>"
    )


def render_dashboard(
    runs: Sequence[EvalRun],
    thresholds: Mapping[str, float] = THRESHOLDS,
    *,
    title: str = "Enterprise RAG: evaluation dashboard",
) -> str:
    """Return the dashboard's HTML: the latest run against thresholds, then one chart per metric.

    Raises:
        ValueError: No runs to show.

    """
    if not runs:
        raise ValueError("the dashboard needs at least one evaluation run.")
    latest = runs[-1]
    rows = []
    for name, value in latest.metrics.items():
        limit = thresholds.get(name)
        verdict = "" if limit is None else ("pass" if value >= limit else "fail")
        rows.append(
            f'<tr data-metric="{html.escape(name)}"><td>{html.escape(name)}</td>'
            f"<td>{value:.3f}</td><td>{'' if limit is None else f'{limit:.2f}'}</td>"
            f'<td class="{verdict}">{verdict}</td></tr>'
        )
    names = list(dict.fromkeys(n for run in runs for n in run.metrics))
    charts = "".join(
        line_chart(n, [r.metrics.get(n, 0.0) for r in runs], thresholds.get(n)) for n in names
    )
    history = "".join(
        f"<tr><td>{html.escape(r.run_id)}</td><td>{html.escape(r.pipeline)}</td>"
        f"<td>{r.questions}</td><td>{r.latency_ms.get('p50', 0):.1f}</td>"
        f"<td>{r.latency_ms.get('p95', 0):.1f}</td><td>{html.escape(r.notes)}</td></tr>"
        for r in reversed(runs)
    )
    status = "pass" if latest.passed(thresholds) else "fail"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(title)}</h1>
<p id="status" class="{status}">Latest run {html.escape(latest.run_id)}: {status}
({latest.questions} questions, pipeline {html.escape(latest.pipeline)})</p>
<table id="latest"><tr><th>metric</th><th>value</th><th>threshold</th><th></th></tr>
{"".join(rows)}</table>
<h2>Over {len(runs)} runs</h2><div class="charts">{charts}</div>
<h2>Runs</h2><table id="runs"><tr><th>run</th><th>pipeline</th><th>questions</th>
<th>p50 ms</th><th>p95 ms</th><th>notes</th></tr>{history}</table>
</body></html>
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from enterprise_rag.dashboard import render_dashboard
from enterprise_rag.evaluation import EvalRun, append_run, load_history


def run(recall: float, citations: float) -> EvalRun:
    return EvalRun(
        run_id=f"run-{recall}",
        started="2025-01-01T00:00:00+00:00",
        pipeline="hybrid",
        questions=60,
        metrics={"recall@5": recall, "mrr@10": 0.7, "citation_validity": citations},
        latency_ms={"p50": 12.0, "p95": 30.0},
        notes="<script>alert(1)</script>",
    )


@pytest.fixture
def dashboard(tmp_path: Path) -> Path:
    history = tmp_path / "history.jsonl"
    for r in (run(0.72, 0.6), run(0.81, 0.4)):
        append_run(history, r)
    page = tmp_path / "dashboard.html"
    page.write_text(render_dashboard(load_history(history)), encoding="utf-8")
    return page


def test_does_the_page_show_the_latest_run_against_thresholds(dashboard: Path) -> None:
    page = dashboard.read_text(encoding="utf-8")
    assert 'class="fail">Latest run run-0.81' in page  # citation_validity 0.4 < 0.50
    assert page.count("<svg") == 3
    assert "<script>" not in page
    assert "http" not in page.replace("http://www.w3.org", "")


def test_does_a_corrupt_history_line_name_its_line(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    append_run(history, run(0.7, 0.7))
    with history.open("a") as f:
        f.write('{"run_id": 1}\n')
    with pytest.raises(ValueError, match=r"history\.jsonl:2"):
        load_history(history)
    with pytest.raises(ValueError, match="at least one"):
        render_dashboard([])


@pytest.mark.browser
def test_does_the_dashboard_render_in_a_real_browser_offline(dashboard: Path) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Chromium is missing: `apt-get install chromium`")
    errors: list[str] = []
    external: list[str] = []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "request",
            lambda r: None if r.url.startswith("file://") else external.append(r.url),
        )
        page.goto(dashboard.as_uri())
        charts = page.locator("svg[data-metric]")
        assert charts.count() == 3
        box = charts.first.bounding_box()
        assert box is not None
        assert box["width"] > 100
        assert box["height"] > 50
        assert page.locator("#latest tr[data-metric='citation_validity'] .fail").count() == 1
        assert page.locator("polyline").count() == 3
        browser.close()
    assert not errors, errors
    assert not external, external

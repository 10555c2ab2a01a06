"""The book builds with no warnings, and works in a real browser with no network."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow


def build_book(root: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """Build the book the way CI does: no execution (nbval runs the notebooks), -W -n."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    # The copied config lives outside the repo, so make its relative paths absolute.
    sphinx = config["sphinx"]
    sphinx["local_extensions"] = {k: str(root / v) for k, v in sphinx["local_extensions"].items()}
    for key in ("html_extra_path", "html_static_path"):
        sphinx["config"][key] = [str(root / p) for p in sphinx["config"][key]]
    config_path = out / "_config.ci.yml"
    out.mkdir(parents=True, exist_ok=True)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run(
        [
            str(jupyter_book),
            "build",
            str(root),
            "--path-output",
            str(out),
            "--config",
            str(config_path),
            "-W",
            "-n",
            "--keep-going",
            "--all",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=root,
    )


@pytest.fixture(scope="module")
def built_book(course_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (course_root / "_vendor" / "vendor" / "mathjax").exists():
        pytest.fail("MathJax/mermaid are not vendored: run `make vendor` (make test does it)")
    out = tmp_path_factory.mktemp("book")
    result = build_book(course_root, out)
    log = result.stdout + result.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert result.returncode == 0 and not warnings, "book build failed:\n" + "\n".join(
        warnings or log.splitlines()[-40:]
    )
    return out / "_build" / "html"


def test_does_the_book_build_with_zero_warnings(built_book: Path) -> None:
    """Does `jupyter-book build -W -n` finish cleanly and produce every page in the TOC?"""
    for page in (
        "index.html",
        "book/roadmap.html",
        "search.html",
        "notebooks/00-python/01-packaging-refresher.html",
    ):
        assert (built_book / page).is_file(), page


def test_are_learner_labs_excluded_from_book_execution(course_root: Path) -> None:
    """Does `make book` skip executing learner labs (they stop at NotImplementedError)?

    myst-nb matches each notebook's absolute path with ``PurePosixPath.match``, from the right.
    """
    from pathlib import PurePosixPath

    config = yaml.safe_load((course_root / "_config.yml").read_text())
    patterns = config["execute"]["exclude_patterns"]
    labs = sorted((course_root / "labs").rglob("*.ipynb"))
    assert labs
    for lab in labs:
        assert any(PurePosixPath(lab.as_posix()).match(p) for p in patterns), lab
    for notebook in (course_root / "notebooks").rglob("*.ipynb"):
        assert not any(PurePosixPath(notebook.as_posix()).match(p) for p in patterns), notebook


def test_does_the_roadmap_page_list_every_roadmap_id(built_book: Path, course_root: Path) -> None:
    """Does the rendered checklist show every id in curriculum/roadmap.yml?"""
    from labkit.roadmap import load_roadmap

    html = (built_book / "book" / "roadmap.html").read_text()
    missing = [item_id for item_id in load_roadmap(course_root).ids() if item_id not in html]
    assert not missing, f"roadmap page lacks {missing}"


def test_does_the_book_ship_its_own_javascript(built_book: Path) -> None:
    """Does every page load MathJax and mermaid from the book itself, never from a CDN?"""
    assert (built_book / "vendor" / "mathjax" / "tex-mml-chtml.js").is_file()
    assert (built_book / "vendor" / "mermaid" / "mermaid.min.js").is_file()
    for page in built_book.rglob("*.html"):
        text = page.read_text()
        for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"):
            assert f'src="https://{cdn}' not in text, f"{page} loads a script from {cdn}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served_book(built_book: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Chromium is missing: `apt-get install chromium` (.ci/run does it)")
    return found


@pytest.mark.browser
def test_does_the_book_work_in_a_browser_with_no_network(served_book: str) -> None:
    """Do the intro, a notebook page and search render with no console error and no network?"""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    external: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def block_external(route, request):  # type: ignore[no-untyped-def]
            if request.url.startswith(served_book):
                return route.continue_()
            external.append(request.url)
            return route.abort()

        page.route("**/*", block_external)

        page.goto(f"{served_book}/index.html", wait_until="networkidle")
        page.wait_for_selector(".mermaid svg", timeout=15_000)

        page.goto(f"{served_book}/book/00-python/index.html", wait_until="networkidle")
        page.wait_for_selector("mjx-container", timeout=15_000)

        page.goto(
            f"{served_book}/notebooks/00-python/01-packaging-refresher.html",
            wait_until="networkidle",
        )
        launch_links = page.eval_on_selector_all(
            ".dropdown-launch-buttons a", "links => links.map(a => a.href)"
        )
        assert any("colab.research.google.com" in href for href in launch_links), launch_links
        assert any("mybinder.org" in href for href in launch_links), launch_links
        assert page.query_selector(".dropdown-download-buttons") is not None

        page.goto(f"{served_book}/search.html?q=wheel", wait_until="networkidle")
        page.wait_for_selector("#search-results li", timeout=15_000)
        browser.close()
    assert not errors, f"JavaScript console errors: {errors}"
    assert not external, f"pages tried to reach the network: {external}"

"""The course's Sphinx extension: the roadmap checklist, and mermaid served from the book.

``{roadmap-summary}`` renders coverage per group as a table; ``{roadmap-checklist} GROUP``
renders one group's items (``p0`` … ``p8``, ``tools``, ``syllabus``, ``projects``) with links to
the notebooks, labs and pages whose metadata lists them. ``{phase-contents} FOLDER`` lists a
phase's notebooks and labs with their measured smoke run time and each lab's points.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from labkit.checks._core import Lab
from labkit.roadmap import (
    Roadmap,
    Source,
    coverage,
    is_covered,
    load_roadmap,
    scan_sources,
    summary,
)

GROUP_TITLES = {"tools": "Tools", "syllabus": "Syllabus", "projects": "Portfolio projects"}


class _RoadmapDirective(SphinxDirective):
    def _load(self) -> tuple[Roadmap, list[Source]]:
        root = Path(self.env.srcdir)
        self.env.note_reread()  # coverage comes from other files' metadata: always re-read
        return load_roadmap(root), scan_sources(root)

    def _parse(self, lines: list[str]) -> list[nodes.Node]:
        container = nodes.container(classes=["roadmap"])
        self.state.nested_parse(StringList(lines, source="roadmap.yml"), 0, container)
        return [container]

    def _link(self, source: Source) -> str:
        if source.docname in self.env.found_docs:
            return f"{{doc}}`/{source.docname}`"
        return f"`{source.path}`"


class RoadmapSummary(_RoadmapDirective):
    """A table of covered/total items per phase, tool level, syllabus block and projects."""

    def run(self) -> list[nodes.Node]:
        """Render the summary table."""
        roadmap, sources = self._load()
        lines = ["| Group | Covered | Total | Coverage |", "|---|---:|---:|---:|"]
        total_done = total = 0
        for group, done, count in summary(roadmap, sources):
            title = roadmap.phase_titles.get(group) or _group_title(group)
            lines.append(f"| {title} | {done} | {count} | {100 * done // count}% |")
            total_done += done
            total += count
        lines.append(
            f"| **All** | **{total_done}** | **{total}** | **{100 * total_done // total}%** |"
        )
        return self._parse(lines)


class RoadmapChecklist(_RoadmapDirective):
    """One group's items as a checklist, each linked to what covers it."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Render the checklist of the group named by the directive's argument."""
        roadmap, sources = self._load()
        wanted = self.arguments[0]
        covered = coverage(roadmap, sources)
        lines: list[str] = []
        for item in roadmap.items:
            if item.group != wanted and item.group.split(":")[0] != wanted:
                continue
            found = covered[item.id]
            mark = "x" if is_covered(item, found) else " "
            where = " · ".join(self._link(s) for s in found) or "*not yet covered*"
            extra = f" (phase {item.phase[1:]})" if not item.group.startswith("p") else ""
            group = f" [{_group_title(item.group)}]" if ":" in item.group else ""
            lines.append(
                f"- [{mark}] `{item.id}`{group} {item.title}{extra}. "
                f"Evidence: *{item.evidence}*. Covered by: {where}"
            )
        if not lines:
            raise self.error(f"no roadmap items in group {wanted!r}")
        return self._parse(lines)


RUNTIMES_PATH = Path("curriculum") / "smoke-runtimes.json"


class PhaseContents(SphinxDirective):
    """A phase's notebooks and labs: what each covers, its smoke run time, a lab's points.

    Run times come from ``curriculum/smoke-runtimes.json``, which ``make runtimes`` measures.
    """

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Render the table for the phase folder named by the argument, e.g. ``01-backend``."""
        root = Path(self.env.srcdir)
        folder = self.arguments[0]
        self.env.note_reread()
        runtimes_file = root / RUNTIMES_PATH
        runtimes = json.loads(runtimes_file.read_text()) if runtimes_file.exists() else {}
        lines = [
            "| Notebook or lab | Covers | Smoke run | Points |",
            "|---|---|---:|---:|",
        ]
        for kind in ("notebooks", "solutions"):
            for path in sorted((root / kind / folder).glob("*.ipynb")):
                rel = path.relative_to(root).as_posix()
                course = json.loads(path.read_text()).get("metadata", {}).get("course", {})
                lab_id = course.get("lab")
                shown = f"labs/{folder}/{path.stem}" if kind == "solutions" else rel[:-6]
                seconds = runtimes.get(rel)
                run = f"{seconds} s" if seconds is not None else "not measured"
                points = str(_lab_points(lab_id)) if lab_id else ""
                covers = ", ".join(f"`{item}`" for item in course.get("covers", []))
                lines.append(f"| {{doc}}`/{shown}` | {covers} | {run} | {points} |")
        if len(lines) == 2:
            raise self.error(f"no notebooks or labs in notebooks/{folder} or solutions/{folder}")
        container = nodes.container(classes=["phase-contents"])
        self.state.nested_parse(StringList(lines, source=str(RUNTIMES_PATH)), 0, container)
        return [container]


def _lab_points(lab_id: str) -> int:
    """Return a lab's full marks: every case of every question, grading-only ones included."""
    lab = importlib.import_module(f"labkit.checks.{lab_id}").lab
    assert isinstance(lab, Lab)
    return sum(question.max_points for question in lab.questions)


def _group_title(group: str) -> str:
    section, _, sub = group.partition(":")
    if section == "tools":
        return f"Tools, level {sub}"
    if section == "syllabus":
        return f"Syllabus, block {sub}"
    return GROUP_TITLES.get(section, section)


def _drop_mermaid_cdn_loader(app: Sphinx) -> None:
    """Stop sphinxcontrib-mermaid from importing mermaid from a CDN.

    It adds an ES-module script that imports mermaid from jsDelivr (or, with
    ``mermaid_use_local``, from a local ``.mjs``, which browsers refuse to import from
    ``file://``). The book instead loads the vendored UMD build through ``html_js_files`` and
    renders diagrams with ``_static/mermaid-init.js``, so it works offline and from disk.
    """
    listeners = app.events.listeners.get("html-page-context", [])
    app.events.listeners["html-page-context"] = [
        listener
        for listener in listeners
        if getattr(listener.handler, "__module__", "") != "sphinxcontrib.mermaid"
    ]


def _dedupe_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Drop repeated script tags (sphinx-thebe's config script is added twice under JB1).

    A repeated ``const THEBE_JS_URL`` declaration is a JavaScript error on every page.
    """
    scripts = context.get("script_files", [])
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        # A body-only script has filename None or "" depending on who added it.
        filename = getattr(script, "filename", script) or ""
        key = (str(filename), repr(getattr(script, "attributes", "")))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: extensions add page scripts to this same list later


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the roadmap directives and the offline mermaid loader."""
    app.add_directive("roadmap-summary", RoadmapSummary)
    app.add_directive("roadmap-checklist", RoadmapChecklist)
    app.add_directive("phase-contents", PhaseContents)
    app.connect("builder-inited", _drop_mermaid_cdn_loader)
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

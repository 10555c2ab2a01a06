"""The course's Sphinx extension: the roadmap checklist, and mermaid served from the book.

``{roadmap-summary}`` renders coverage per group as a table; ``{roadmap-checklist} GROUP``
renders one group's items (``p0`` … ``p8``, ``tools``, ``syllabus``, ``projects``) with links to
the notebooks, labs and pages whose metadata lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

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
    app.connect("builder-inited", _drop_mermaid_cdn_loader)
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

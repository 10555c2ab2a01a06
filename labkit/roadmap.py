"""The learner's roadmap (curriculum/roadmap.yml) and which notebooks, labs and pages cover it."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

SourceKind = Literal["notebook", "lab", "page"]
GROUPS = {"tools": "level", "syllabus": "block", "projects": None}
ROADMAP_PATH = Path("curriculum") / "roadmap.yml"


@dataclass(frozen=True)
class Item:
    """One roadmap item, e.g. ``p0.typing``."""

    id: str
    title: str
    phase: str
    group: str
    kind: str = "topic"
    evidence: str = "run"


@dataclass(frozen=True)
class Source:
    """A file that declares it covers roadmap ids.

    ``kind`` is ``notebook`` (notebooks/, executed by CI), ``lab`` (a graded master in
    solutions/, executed and graded by CI) or ``page`` (a narrative page in book/).
    ``docname`` is the book page a reader should follow: a lab's master points to the
    learner lab, never to the solution.
    """

    path: str
    kind: SourceKind
    docname: str
    covers: tuple[str, ...]


@dataclass
class Roadmap:
    """Every item of the roadmap, in order, with the phases' titles."""

    items: list[Item]
    phase_titles: dict[str, str] = field(default_factory=dict)

    def ids(self) -> list[str]:
        """All ids, in roadmap order (duplicates kept, so they can be reported)."""
        return [item.id for item in self.items]

    def by_id(self) -> dict[str, Item]:
        """Items keyed by id."""
        return {item.id: item for item in self.items}


def load_roadmap(root: Path) -> Roadmap:
    """Read ``curriculum/roadmap.yml`` under ``root``."""
    data: dict[str, Any] = yaml.safe_load((root / ROADMAP_PATH).read_text())
    items: list[Item] = []
    titles: dict[str, str] = {}
    for phase in data["phases"]:
        titles[phase["id"]] = phase["title"]
        for raw in phase["items"]:
            items.append(
                Item(
                    raw["id"], raw["title"], phase["id"], phase["id"], raw["kind"], raw["evidence"]
                )
            )
    for section, key in GROUPS.items():
        for raw in data.get(section, []):
            group = f"{section}:{raw[key]}" if key else section
            items.append(Item(raw["id"], raw["title"], raw["phase"], group, section, "run"))
    return Roadmap(items, titles)


def _front_matter(text: str) -> dict[str, Any]:
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 4)
    if end == -1:
        return {}
    loaded = yaml.safe_load(text[4:end])
    return loaded if isinstance(loaded, dict) else {}


def _notebook_covers(path: Path) -> tuple[str, ...]:
    meta = json.loads(path.read_text()).get("metadata", {}).get("course", {})
    return tuple(meta.get("covers", []))


def scan_sources(root: Path) -> list[Source]:
    """Every notebook, lab master and book page under ``root`` that declares ``covers``."""
    sources: list[Source] = []
    for folder, kind in (("notebooks", "notebook"), ("solutions", "lab")):
        for path in sorted((root / folder).rglob("*.ipynb")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            rel = path.relative_to(root)
            shown = Path("labs", *rel.parts[1:]) if kind == "lab" else rel
            covers = _notebook_covers(path)
            if covers:
                sources.append(Source(str(rel), kind, str(shown.with_suffix("")), covers))  # type: ignore[arg-type]
    for path in sorted((root / "book").rglob("*.md")):
        covers = _front_matter(path.read_text()).get("covers", [])
        if covers:
            rel = path.relative_to(root)
            sources.append(Source(str(rel), "page", str(rel.with_suffix("")), tuple(covers)))
    return sources


def coverage(roadmap: Roadmap, sources: list[Source]) -> dict[str, list[Source]]:
    """Map each roadmap id to the sources that list it."""
    found: dict[str, list[Source]] = {item.id: [] for item in roadmap.items}
    for source in sources:
        for item_id in source.covers:
            if item_id in found:
                found[item_id].append(source)
    return found


def is_covered(item: Item, sources: list[Source]) -> bool:
    """Whether ``sources`` meet the item's evidence bar.

    ``read`` needs any source; ``run`` needs a notebook or lab that CI executes; ``lab`` needs
    a graded lab.
    """
    kinds = {source.kind for source in sources}
    if item.evidence == "read":
        return bool(kinds)
    if item.evidence == "lab":
        return "lab" in kinds
    return bool(kinds & {"notebook", "lab"})


def problems(roadmap: Roadmap, sources: list[Source]) -> list[str]:
    """Duplicated roadmap ids and unknown ids listed by any source, as readable lines."""
    known = set(roadmap.ids())
    found = [f"duplicated roadmap id {i!r}" for i, n in Counter(roadmap.ids()).items() if n > 1]
    for source in sources:
        for item_id in source.covers:
            if item_id not in known:
                found.append(f"{source.path}: unknown roadmap id {item_id!r} in covers")
        for item_id, n in Counter(source.covers).items():
            if n > 1:
                found.append(f"{source.path}: {item_id!r} listed {n} times in covers")
    return found


def summary(roadmap: Roadmap, sources: list[Source]) -> list[tuple[str, int, int]]:
    """``(group, covered, total)`` per phase, tool level, syllabus block and projects."""
    covered = coverage(roadmap, sources)
    counts: dict[str, list[int]] = {}
    for item in roadmap.items:
        row = counts.setdefault(item.group, [0, 0])
        row[0] += is_covered(item, covered[item.id])
        row[1] += 1
    return [(group, done, total) for group, (done, total) in counts.items()]

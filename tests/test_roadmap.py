"""The roadmap is the course's spec: its ids are stable and everything that cites one is right."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from labkit.roadmap import coverage, is_covered, load_roadmap, problems, scan_sources, summary

SHARED_ROADMAP = Path(__file__).resolve().parents[2] / "shared" / "curriculum" / "roadmap.yml"


def test_are_roadmap_ids_unique_and_every_cited_id_known(course_root: Path) -> None:
    """Does any notebook, lab or page cite an unknown, misspelt or duplicated roadmap id?"""
    roadmap = load_roadmap(course_root)
    found = problems(roadmap, scan_sources(course_root))
    assert not found, "\n".join(found)


def test_does_a_misspelt_id_get_reported(tmp_path: Path, course_root: Path) -> None:
    """Would a typo in a notebook's covers list be caught, naming the file and the id?"""
    (tmp_path / "curriculum").mkdir()
    (tmp_path / "curriculum" / "roadmap.yml").write_text(
        (course_root / "curriculum" / "roadmap.yml").read_text()
    )
    page = tmp_path / "book" / "page.md"
    page.parent.mkdir()
    page.write_text("---\ncovers: [p0.typing, p0.typnig, p0.typing]\n---\n# Page\n")
    found = problems(load_roadmap(tmp_path), scan_sources(tmp_path))
    assert found == [
        "book/page.md: unknown roadmap id 'p0.typnig' in covers",
        "book/page.md: 'p0.typing' listed 2 times in covers",
    ]


def test_has_every_id_of_the_learners_roadmap_kept(course_root: Path) -> None:
    """Does the course's roadmap keep every id of the shared one (ids are never renamed)?"""
    if not SHARED_ROADMAP.exists():
        pytest.skip("no ../shared/curriculum/roadmap.yml beside this checkout")
    shared = load_roadmap(SHARED_ROADMAP.parents[1])
    ours = set(load_roadmap(course_root).ids())
    assert set(shared.ids()) <= ours


def test_do_lab_items_need_a_graded_lab() -> None:
    """Is an item with evidence 'lab' left unticked when only a notebook covers it?"""
    from labkit.roadmap import Item, Source

    item = Item("p0.dsa", "DSA", "p0", "p0", evidence="lab")
    notebook = Source("notebooks/x.ipynb", "notebook", "notebooks/x", ("p0.dsa",))
    lab = Source("solutions/x.ipynb", "lab", "labs/x", ("p0.dsa",))
    page = Source("book/x.md", "page", "book/x", ("p0.dsa",))
    assert not is_covered(item, [notebook, page])
    assert is_covered(item, [lab])
    read = Item("p8.nfadp", "nFADP", "p8", "p8", evidence="read")
    assert is_covered(read, [page])


def test_print_coverage_per_phase(course_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """How much of the roadmap does the course cover today? (printed for CI's log)"""
    roadmap = load_roadmap(course_root)
    sources = scan_sources(course_root)
    rows = summary(roadmap, sources)
    covered = coverage(roadmap, sources)
    assert sum(total for _, _, total in rows) == len(roadmap.items) == len(covered)
    with capsys.disabled():
        print("\nRoadmap coverage")
        for group, done, total in rows:
            print(f"  {group:<14} {done:>3}/{total:<3} {100 * done // total:>3}%")


def test_is_every_roadmap_item_taught(course_root: Path) -> None:
    """Is every item (phases, tools, syllabus, projects) covered at its evidence bar?

    The course is complete only at 100%: an item with evidence 'run' needs a notebook or lab
    that CI executes, 'lab' a graded lab, 'read' at least a page.
    """
    roadmap = load_roadmap(course_root)
    covered = coverage(roadmap, scan_sources(course_root))
    missing = [
        f"{item.group}: {item.id} ({item.evidence}) {item.title}"
        for item in roadmap.items
        if not is_covered(item, covered[item.id])
    ]
    assert not missing, f"{len(missing)} roadmap items not taught yet:\n" + "\n".join(missing)


def test_does_every_notebook_carry_the_course_metadata(course_root: Path) -> None:
    """Does every notebook, lab and solution declare covers, compute, minutes and colab?"""
    import json

    bad = []
    for folder in ("notebooks", "labs", "solutions"):
        for path in sorted((course_root / folder).rglob("*.ipynb")):
            nb = json.loads(path.read_text())
            meta = nb.get("metadata", {}).get("course", {})
            if not meta.get("covers"):
                bad.append(f"{path.relative_to(course_root)}: empty covers")
            if meta.get("compute") not in {"cpu", "gpu-optional", "gpu"}:
                bad.append(f"{path.relative_to(course_root)}: compute is {meta.get('compute')!r}")
            if not isinstance(meta.get("minutes"), int | float) or not isinstance(
                meta.get("colab"), bool
            ):
                bad.append(f"{path.relative_to(course_root)}: minutes/colab missing")
            if any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"):
                bad.append(f"{path.relative_to(course_root)}: committed with outputs")
    assert not bad, "\n".join(bad)


def test_is_the_roadmap_yaml_well_formed(course_root: Path) -> None:
    """Does every item have an id, a title and a known kind and evidence?"""
    data = yaml.safe_load((course_root / "curriculum" / "roadmap.yml").read_text())
    for phase in data["phases"]:
        for item in phase["items"]:
            assert item["id"].startswith(phase["id"] + "."), item
            assert item["evidence"] in {"run", "lab", "read"}, item
            assert item["kind"] in {"topic", "deliverable", "cloud"}, item

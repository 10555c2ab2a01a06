"""Does every master grade at full marks, and every generated lab below full marks?"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from labkit.grade import grade_cli

ROOT = Path(__file__).resolve().parents[1]
MASTERS = sorted((ROOT / "solutions").glob("*/lab*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("master", MASTERS, ids=lambda path: path.stem)
def test_does_the_master_get_full_marks_and_the_lab_less(master: Path, tmp_path: Path) -> None:
    lab_id = master.name.split("-", 1)[0]
    submissions = tmp_path / "in"
    submissions.mkdir()
    shutil.copy(master, submissions / "master.ipynb")
    shutil.copy(ROOT / "labs" / master.relative_to(ROOT / "solutions"), submissions / "lab.ipynb")
    assert (
        grade_cli(
            lab_id, [submissions], out=tmp_path / "out", jobs=2, timeout=300, root=ROOT, force=False
        )
        == 0
    )
    points: dict[str, list[tuple[int, int, str]]] = {}
    with open(tmp_path / "out" / "gradebook.csv", newline="") as table:
        for row in csv.DictReader(table):
            earned = (int(row["points"]), int(row["max_points"]), row["status"])
            points.setdefault(row["submission"], []).append(earned)
    assert all(got == most and status == "passed" for got, most, status in points["master"])
    assert sum(got for got, _, _ in points["lab"]) < sum(most for _, most, _ in points["lab"])

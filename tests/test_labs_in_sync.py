"""Is every lab in labs/ exactly what its master in solutions/ generates?"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from labkit.assign import assign_all

ROOT = Path(__file__).resolve().parents[1]
MASTERS = sorted((ROOT / "solutions").glob("*/lab*.ipynb"))


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of solutions/ with every lab regenerated from it, in a temporary course root."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "solutions", root / "solutions")
    assert assign_all(root, check=False) == 0
    return root


@pytest.mark.parametrize("master", MASTERS, ids=lambda path: path.stem)
def test_is_the_committed_lab_what_its_master_generates(master: Path, regenerated: Path) -> None:
    relative = master.relative_to(ROOT / "solutions")
    committed = ROOT / "labs" / relative
    assert committed.exists(), f"labs/{relative} is missing: run `labkit assign`"
    expected = (regenerated / "labs" / relative).read_bytes()
    assert committed.read_bytes() == expected, f"labs/{relative} is stale: run `labkit assign`"


def test_does_every_lab_have_a_master() -> None:
    orphans = [
        lab.relative_to(ROOT).as_posix()
        for lab in sorted((ROOT / "labs").glob("*/lab*.ipynb"))
        if not (ROOT / "solutions" / lab.relative_to(ROOT / "labs")).exists()
    ]
    assert orphans == []

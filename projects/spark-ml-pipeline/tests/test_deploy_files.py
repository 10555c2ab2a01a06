"""The cluster deployment files shipped with the capstone are well-formed and agree."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_does_the_readme_job_json_parse_and_run_the_etl_entry_point() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```json\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) == 1
    job: dict[str, Any] = json.loads(blocks[0])
    task = job["tasks"][0]["python_wheel_task"]
    assert task["entry_point"] == "spark-ml-pipeline"
    assert task["parameters"][0] == "etl"


def test_does_the_bundle_define_a_scheduled_job_with_the_same_task() -> None:
    bundle: dict[str, Any] = yaml.safe_load((ROOT / "databricks.yml").read_text())
    job = bundle["resources"]["jobs"]["spark_ml_pipeline"]
    task = job["tasks"][0]["python_wheel_task"]
    assert task["package_name"] == "spark_ml_pipeline"
    assert task["parameters"][:1] == ["etl"]
    assert {"dev", "prod"} <= set(bundle["targets"])


def test_does_the_cli_entry_point_match_the_wheel_metadata() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'spark-ml-pipeline = "spark_ml_pipeline.__main__:main"' in pyproject

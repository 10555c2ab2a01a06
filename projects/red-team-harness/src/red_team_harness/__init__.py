"""An LLM red-team harness: attack battery, detectors, a hardened pipeline and reports."""

from red_team_harness.battery import Attack, load_battery
from red_team_harness.pipeline import DefendedPipeline, Scenario, UndefendedPipeline
from red_team_harness.runner import AttackResult, Summary, run_battery, summarise

__all__ = [
    "Attack",
    "AttackResult",
    "DefendedPipeline",
    "Scenario",
    "Summary",
    "UndefendedPipeline",
    "load_battery",
    "run_battery",
    "summarise",
]

"""Checks for lab70, a registry promotion gate: log a run, promote, roll back, promote a prompt."""

from __future__ import annotations

import functools
import math
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from labkit.checks._core import Lab, Text, expect, expect_equal

lab = Lab("lab70")
q1 = lab.question("q1", "log_evaluation", time_limit=60.0)
q2 = lab.question("q2", "promote_if_passes", time_limit=60.0)
q3 = lab.question("q3", "rollback", time_limit=60.0)
q4 = lab.question("q4", "promote_prompt", time_limit=60.0)
summary = lab.summary

CHAMPION = "champion"
"""The model alias that serving loads: ``models:/<name>@champion``."""
PRODUCTION = "production"
"""The prompt alias that the application loads: ``prompts:/<name>@production``."""
GATES = {"accuracy": 0.80, "macro_f1": 0.75}


@functools.cache
def tracking_store() -> Any:
    """Return an ``MlflowClient`` on a fresh sqlite store in a temporary folder, made once.

    Creating the tables takes a few seconds, so every case shares one store and starts
    from models and prompts it deletes and re-creates under its own name.
    """
    from mlflow import MlflowClient

    folder = Path(tempfile.mkdtemp(prefix="lab70-mlflow-"))
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # SQLAlchemy 2.1 on MLflow's models
        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        client.search_experiments()
    return client


def _experiment(client: Any, name: str) -> str:
    found = client.get_experiment_by_name(name)
    return str(found.experiment_id) if found else str(client.create_experiment(name))


def _run_with(client: Any, metrics: dict[str, float]) -> str:
    run_id = str(client.create_run(_experiment(client, "lab70-checks")).info.run_id)
    for key, value in metrics.items():
        client.log_metric(run_id, key, value)
    client.set_terminated(run_id)
    return run_id


def _fresh_model(client: Any, name: str, versions: list[dict[str, float]]) -> None:
    """(Re)create model ``name`` with one version per metrics dict: versions 1, 2 and so on."""
    if client.search_registered_models(filter_string=f"name = '{name}'"):
        client.delete_registered_model(name)
    client.create_registered_model(name)
    for metrics in versions:
        run_id = _run_with(client, metrics)
        client.create_model_version(name, source=f"runs:/{run_id}/model", run_id=run_id)


def _champion(client: Any, name: str) -> int | None:
    aliases = client.get_registered_model(name).aliases
    return int(aliases[CHAMPION]) if CHAMPION in aliases else None


def _tags(client: Any, name: str, version: int) -> dict[str, str]:
    return dict(client.get_model_version(name, str(version)).tags)


def _raises(call: Callable[[], object], kind: type[Exception], word: str, what: str) -> None:
    try:
        call()
    except kind as error:
        expect(word in str(error), f"the {kind.__name__} message to name {word!r}", str(error))
        return
    except Exception as error:
        expect(False, f"{kind.__name__} for {what}", Text(f"{type(error).__name__}: {error}"))
    expect(False, f"{kind.__name__} for {what}", Text("no error"))


@q1.case("logs every param and metric to a finished run, and returns its id")
def _logs(log_evaluation: Callable[..., str]) -> None:
    client = tracking_store()
    experiment_id = _experiment(client, "lab70-q1")
    params = {"model": "logreg", "C": 0.5}
    metrics = {"accuracy": 0.91, "macro_f1": 0.88}
    run_id = log_evaluation(client, experiment_id, params, metrics)
    run = client.get_run(run_id)
    expect_equal(
        dict(sorted(run.data.params.items())),
        {"C": "0.5", "model": "logreg"},
        "the run's params, sorted",
    )
    expect_equal(dict(sorted(run.data.metrics.items())), metrics, "the run's metrics, sorted")
    expect_equal(run.info.status, "FINISHED", "the run's status")
    expect_equal(run.info.experiment_id, experiment_id, "the run's experiment id")


@q1.case(
    "rejects a metric that is not a finite number, naming it, and logs no run",
    hint="check every metric with math.isfinite before client.create_run",
)
def _rejects_nan(log_evaluation: Callable[..., str]) -> None:
    client = tracking_store()
    experiment_id = _experiment(client, "lab70-q1-bad")
    before = len(client.search_runs([experiment_id]))
    bad = {"accuracy": 0.9, "latency_ms": math.nan}
    _raises(
        lambda: log_evaluation(client, experiment_id, {}, bad),
        ValueError,
        "latency_ms",
        "a NaN metric",
    )
    after = len(client.search_runs([experiment_id]))
    expect_equal(after - before, 0, "the number of runs left behind by bad input")


@q1.case("rejects a metric given as a str", grading_only=True)
def _rejects_text(log_evaluation: Callable[..., str]) -> None:
    client = tracking_store()
    experiment_id = _experiment(client, "lab70-q1-bad")
    _raises(
        lambda: log_evaluation(client, experiment_id, {}, {"recall": "high"}),
        ValueError,
        "recall",
        "a str metric",
    )


@q2.case("promotes the first version that passes the gates, recording the approval")
def _first(promote_if_passes: Callable[..., bool]) -> None:
    client = tracking_store()
    _fresh_model(client, "lab70-first", [{"accuracy": 0.85, "macro_f1": 0.80}])
    expect_equal(promote_if_passes(client, "lab70-first", 1, GATES, "ana"), True, "the result")
    expect_equal(_champion(client, "lab70-first"), 1, "the champion version")
    tags = _tags(client, "lab70-first", 1)
    expect_equal(tags.get("approval"), "approved", "the 'approval' tag")
    expect_equal(tags.get("approved_by"), "ana", "the 'approved_by' tag")


@q2.case(
    "blocks a version under a threshold, tags it rejected and leaves the champion",
    hint="compare every gated metric with its threshold; on failure set no alias",
)
def _threshold(promote_if_passes: Callable[..., bool]) -> None:
    client = tracking_store()
    good, low_f1 = {"accuracy": 0.85, "macro_f1": 0.80}, {"accuracy": 0.95, "macro_f1": 0.70}
    _fresh_model(client, "lab70-low", [good, low_f1])
    client.set_registered_model_alias("lab70-low", CHAMPION, "1")
    expect_equal(promote_if_passes(client, "lab70-low", 2, GATES, "ana"), False, "the result")
    expect_equal(_champion(client, "lab70-low"), 1, "the champion version")
    tags = _tags(client, "lab70-low", 2)
    expect_equal(tags.get("approval"), "rejected", "version 2's 'approval' tag")
    expect(
        "macro_f1" in tags.get("rejection_reason", ""),
        "a rejection_reason naming macro_f1",
        tags.get("rejection_reason"),
    )


@q2.case(
    "blocks a version worse than the champion even when it passes the thresholds",
    hint="read the champion's metrics from its run: client.get_run(version.run_id)",
)
def _regression(promote_if_passes: Callable[..., bool]) -> None:
    client = tracking_store()
    champion, worse = {"accuracy": 0.92, "macro_f1": 0.90}, {"accuracy": 0.88, "macro_f1": 0.91}
    _fresh_model(client, "lab70-worse", [champion, worse])
    client.set_registered_model_alias("lab70-worse", CHAMPION, "1")
    expect_equal(promote_if_passes(client, "lab70-worse", 2, GATES, "ana"), False, "the result")
    expect_equal(_champion(client, "lab70-worse"), 1, "the champion version")


@q2.case(
    "promotes a better version and records the previous champion for rollback",
    hint="set the tag previous_champion to the old champion's version before moving the alias",
)
def _better(promote_if_passes: Callable[..., bool]) -> None:
    client = tracking_store()
    _fresh_model(
        client,
        "lab70-better",
        [{"accuracy": 0.85, "macro_f1": 0.80}, {"accuracy": 0.90, "macro_f1": 0.86}],
    )
    client.set_registered_model_alias("lab70-better", CHAMPION, "1")
    expect_equal(promote_if_passes(client, "lab70-better", 2, GATES, "bo"), True, "the result")
    expect_equal(_champion(client, "lab70-better"), 2, "the champion version")
    expect_equal(
        _tags(client, "lab70-better", 2).get("previous_champion"),
        "1",
        "version 2's 'previous_champion' tag",
    )


@q2.case(
    "raises LookupError naming an unknown model, ValueError naming a missing metric",
    hint="catch mlflow.exceptions.MlflowException and raise LookupError(f'... {name!r} ...')",
)
def _bad_input(promote_if_passes: Callable[..., bool]) -> None:
    client = tracking_store()
    _fresh_model(client, "lab70-partial", [{"accuracy": 0.99}])
    _raises(
        lambda: promote_if_passes(client, "lab70-nope", 1, GATES, "ana"),
        LookupError,
        "lab70-nope",
        "an unknown model",
    )
    _raises(
        lambda: promote_if_passes(client, "lab70-partial", 1, GATES, "ana"),
        ValueError,
        "macro_f1",
        "a version whose run has no macro_f1",
    )
    expect_equal(_champion(client, "lab70-partial"), None, "the champion after bad input")


@q2.case("a tie with the champion is not a regression", grading_only=True)
def _tie(promote_if_passes: Callable[..., bool]) -> None:
    client = tracking_store()
    same = {"accuracy": 0.9, "macro_f1": 0.85}
    _fresh_model(client, "lab70-tie", [same, same])
    client.set_registered_model_alias("lab70-tie", CHAMPION, "1")
    expect_equal(promote_if_passes(client, "lab70-tie", 2, GATES, "ana"), True, "the result")


@q2.case("an unknown version of a known model raises LookupError", grading_only=True)
def _unknown_version(promote_if_passes: Callable[..., bool]) -> None:
    client = tracking_store()
    _fresh_model(client, "lab70-versions", [{"accuracy": 0.9, "macro_f1": 0.9}])
    _raises(
        lambda: promote_if_passes(client, "lab70-versions", 7, GATES, "ana"),
        LookupError,
        "7",
        "version 7 of a model with one version",
    )


@q3.case("re-points the champion to the previous version and returns it")
def _rolls_back(rollback: Callable[..., int]) -> None:
    client = tracking_store()
    _fresh_model(client, "lab70-rollback", [{"accuracy": 0.9}, {"accuracy": 0.91}])
    client.set_registered_model_alias("lab70-rollback", CHAMPION, "2")
    client.set_model_version_tag("lab70-rollback", "2", "previous_champion", "1")
    expect_equal(rollback(client, "lab70-rollback"), 1, "rollback(client, 'lab70-rollback')")
    expect_equal(_champion(client, "lab70-rollback"), 1, "the champion version")
    expect_equal(
        _tags(client, "lab70-rollback", 2).get("rolled_back"),
        "true",
        "version 2's 'rolled_back' tag",
    )


@q3.case(
    "raises LookupError when there is nothing to roll back to, changing nothing",
    hint="a champion without a previous_champion tag has nothing before it",
)
def _nothing(rollback: Callable[..., int]) -> None:
    client = tracking_store()
    _fresh_model(client, "lab70-alone", [{"accuracy": 0.9}])
    client.set_registered_model_alias("lab70-alone", CHAMPION, "1")
    _raises(
        lambda: rollback(client, "lab70-alone"),
        LookupError,
        "lab70-alone",
        "a champion with no previous version",
    )
    expect_equal(_champion(client, "lab70-alone"), 1, "the champion version")


@q3.case("raises LookupError for a model with no champion", grading_only=True)
def _no_champion(rollback: Callable[..., int]) -> None:
    client = tracking_store()
    _fresh_model(client, "lab70-no-champion", [{"accuracy": 0.9}])
    _raises(
        lambda: rollback(client, "lab70-no-champion"),
        LookupError,
        "lab70-no-champion",
        "a model with no champion alias",
    )


def _fresh_prompt(client: Any, name: str, scores: list[dict[str, float]]) -> None:
    """(Re)create prompt ``name`` with one version per scores dict, kept as ``eval.*`` tags."""
    if client.get_prompt(name) is not None:
        client.delete_prompt(name)
    for number, version_scores in enumerate(scores, start=1):
        tags = {f"eval.{key}": str(value) for key, value in version_scores.items()}
        client.register_prompt(name, f"v{number}: answer {{{{question}}}}", tags=tags)


def _production(client: Any, name: str) -> int | None:
    from mlflow.exceptions import MlflowException

    try:
        return int(client.get_prompt_version_by_alias(name, PRODUCTION).version)
    except MlflowException:
        return None


PROMPT_GATES = {"faithfulness": 0.8}


@q4.case("promotes a prompt version that passes, and the production alias loads it")
def _prompt_promote(promote_prompt: Callable[..., bool]) -> None:
    client = tracking_store()
    _fresh_prompt(client, "lab70-answer", [{"faithfulness": 0.82}, {"faithfulness": 0.9}])
    client.set_prompt_alias("lab70-answer", PRODUCTION, 1)
    expect_equal(promote_prompt(client, "lab70-answer", 2, PROMPT_GATES, "ana"), True, "the result")
    loaded = client.get_prompt_version_by_alias("lab70-answer", PRODUCTION)
    expect_equal(int(loaded.version), 2, "the version behind prompts:/lab70-answer@production")
    tags = client.get_prompt_version("lab70-answer", 2).tags
    expect_equal(tags.get("approved_by"), "ana", "version 2's 'approved_by' tag")
    expect_equal(tags.get("previous_production"), "1", "version 2's 'previous_production' tag")


@q4.case(
    "blocks a prompt that regresses against production",
    hint="scores are the prompt version's tags 'eval.<metric>'; compare with production's",
)
def _prompt_regression(promote_prompt: Callable[..., bool]) -> None:
    client = tracking_store()
    _fresh_prompt(client, "lab70-worse-prompt", [{"faithfulness": 0.95}, {"faithfulness": 0.85}])
    client.set_prompt_alias("lab70-worse-prompt", PRODUCTION, 1)
    expect_equal(
        promote_prompt(client, "lab70-worse-prompt", 2, PROMPT_GATES, "ana"), False, "the result"
    )
    expect_equal(_production(client, "lab70-worse-prompt"), 1, "the production version")
    tags = client.get_prompt_version("lab70-worse-prompt", 2).tags
    expect_equal(tags.get("approval"), "rejected", "version 2's 'approval' tag")


@q4.case(
    "raises LookupError naming an unknown prompt, ValueError naming a missing score",
    hint="client.get_prompt(name) returns None for an unknown prompt",
)
def _prompt_bad_input(promote_prompt: Callable[..., bool]) -> None:
    client = tracking_store()
    _fresh_prompt(client, "lab70-unscored", [{"relevance": 0.9}])
    _raises(
        lambda: promote_prompt(client, "lab70-no-prompt", 1, PROMPT_GATES, "ana"),
        LookupError,
        "lab70-no-prompt",
        "an unknown prompt",
    )
    _raises(
        lambda: promote_prompt(client, "lab70-unscored", 1, PROMPT_GATES, "ana"),
        ValueError,
        "faithfulness",
        "a prompt version with no eval.faithfulness tag",
    )
    expect_equal(_production(client, "lab70-unscored"), None, "the production version")


@q4.case("the first prompt version that passes becomes production", grading_only=True)
def _prompt_first(promote_prompt: Callable[..., bool]) -> None:
    client = tracking_store()
    _fresh_prompt(client, "lab70-first-prompt", [{"faithfulness": 0.81}])
    expect_equal(
        promote_prompt(client, "lab70-first-prompt", 1, PROMPT_GATES, "bo"), True, "the result"
    )
    expect_equal(_production(client, "lab70-first-prompt"), 1, "the production version")

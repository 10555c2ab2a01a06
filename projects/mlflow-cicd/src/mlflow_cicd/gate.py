"""The promotion gate: move the ``champion`` alias only on evidence, and roll back by alias."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

CHAMPION = "champion"
DEFAULT_GATES = {"accuracy": 0.70, "macro_f1": 0.70}
"""Minimum offline metrics a candidate must reach; higher is better for each."""


@dataclass(frozen=True)
class Decision:
    """The outcome of the gate for one candidate version."""

    version: int
    promoted: bool
    previous_champion: int | None
    failures: list[str] = field(default_factory=list)


def failed_gates(
    candidate: dict[str, float], champion: dict[str, float] | None, gates: dict[str, float]
) -> list[str]:
    """Return why ``candidate`` must not be promoted; an empty list means it passes.

    A candidate passes when every gated metric reaches its threshold and is no worse than
    the champion's (a tie passes). With no champion, only the thresholds apply.

    Raises:
        ValueError: The candidate lacks a gated metric.

    Example:
        >>> failed_gates({"accuracy": 0.9}, {"accuracy": 0.95}, {"accuracy": 0.8})
        ['accuracy 0.9000 < champion 0.9500']

    """
    missing = sorted(set(gates) - set(candidate))
    if missing:
        raise ValueError(f"the candidate has no metric(s) {missing}; gates need {sorted(gates)}")
    failures = [
        f"{metric} {candidate[metric]:.4f} < threshold {threshold:.4f}"
        for metric, threshold in gates.items()
        if candidate[metric] < threshold
    ]
    if champion:
        failures += [
            f"{metric} {candidate[metric]:.4f} < champion {champion[metric]:.4f}"
            for metric in gates
            if metric in champion and candidate[metric] < champion[metric]
        ]
    return failures


def _version_metrics(client: MlflowClient, name: str, version: int | str) -> dict[str, float]:
    try:
        model_version = client.get_model_version(name, str(version))
    except MlflowException as error:
        raise LookupError(f"model {name!r} has no version {version}") from error
    return dict(client.get_run(model_version.run_id).data.metrics)


def champion_version(client: MlflowClient, name: str) -> int | None:
    """Return the version the ``champion`` alias points at, or None when it is unset.

    Raises:
        LookupError: No registered model has this name.

    """
    try:
        aliases = client.get_registered_model(name).aliases
    except MlflowException as error:
        raise LookupError(f"no registered model named {name!r}") from error
    return int(aliases[CHAMPION]) if CHAMPION in aliases else None


def promote_if_passes(
    client: MlflowClient, name: str, version: int, gates: dict[str, float], approved_by: str
) -> Decision:
    """Point ``champion`` at ``version`` if it passes the gates; tag the decision either way.

    Tags on the candidate: ``approval`` (approved/rejected), ``approved_by`` and
    ``previous_champion`` when promoted, ``rejection_reason`` when not.
    """
    champion = champion_version(client, name)
    candidate = _version_metrics(client, name, version)
    best = _version_metrics(client, name, champion) if champion is not None else None
    failures = failed_gates(candidate, best, gates)

    def tag(key: str, value: str) -> None:
        client.set_model_version_tag(name, str(version), key, value)

    if failures:
        tag("approval", "rejected")
        tag("rejection_reason", "; ".join(failures))
        return Decision(version, False, champion, failures)
    tag("approval", "approved")
    tag("approved_by", approved_by)
    if champion is not None:
        tag("previous_champion", str(champion))
    client.set_registered_model_alias(name, CHAMPION, str(version))
    return Decision(version, True, champion)


def rollback(client: MlflowClient, name: str) -> int:
    """Point ``champion`` back at the version it replaced; return that version.

    Raises:
        LookupError: The model has no champion, or its champion replaced nothing.

    """
    current = champion_version(client, name)
    if current is None:
        raise LookupError(f"model {name!r} has no {CHAMPION!r} alias to roll back")
    previous = client.get_model_version(name, str(current)).tags.get("previous_champion")
    if previous is None:
        raise LookupError(f"version {current} of {name!r} replaced nothing: no rollback target")
    client.set_registered_model_alias(name, CHAMPION, previous)
    client.set_model_version_tag(name, str(current), "rolled_back", "true")
    return int(previous)

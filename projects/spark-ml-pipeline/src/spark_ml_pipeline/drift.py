"""Drift between the training snapshot and a new batch: PSI and KS per feature, and an alert."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray
from scipy import stats

PSI_ALERT = 0.2
KS_ALERT = 0.1


@dataclass(frozen=True)
class FeatureDrift:
    """Drift of one feature.

    Attributes:
        feature: Column name.
        psi: Population stability index over deciles of the reference.
        ks_statistic: Two-sample Kolmogorov-Smirnov distance (0 same, 1 disjoint).
        ks_pvalue: Its p-value; with thousands of rows tiny shifts are "significant",
            which is why the alert uses the distance, not the p-value.
        drifted: Whether PSI crossed its threshold, or KS crossed its distance threshold
            with a p-value small enough to rule out sampling noise.

    """

    feature: str
    psi: float
    ks_statistic: float
    ks_pvalue: float
    drifted: bool


@dataclass(frozen=True)
class DriftReport:
    """Per-feature drift and whether to page someone."""

    features: tuple[FeatureDrift, ...]

    @property
    def alert(self) -> bool:
        """True when at least one feature drifted."""
        return any(f.drifted for f in self.features)

    @property
    def drifted_features(self) -> list[str]:
        """Names of the features that drifted, worst PSI first."""
        return [f.feature for f in sorted(self.features, key=lambda f: -f.psi) if f.drifted]

    def message(self) -> str:
        """One line for a pager or a log."""
        if not self.alert:
            return "no drift: every feature is within PSI < 0.2 and KS < 0.1"
        worst = max(self.features, key=lambda f: f.psi)
        return (
            f"DRIFT ALERT: {len(self.drifted_features)} feature(s) drifted "
            f"{self.drifted_features}; worst {worst.feature} PSI={worst.psi:.2f} "
            f"KS={worst.ks_statistic:.2f}. Check the upstream data, then retrain on a new "
            "Delta version if the shift is real."
        )


def psi(reference: NDArray[np.float64], current: NDArray[np.float64], bins: int = 10) -> float:
    """Population stability index of ``current`` against ``reference``.

    Bins are the reference's quantiles, so each holds about 1/bins of the reference; empty
    bins get a small floor so the log stays finite. Rule of thumb: < 0.1 stable, 0.1-0.2
    moderate, > 0.2 significant shift.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> round(psi(rng.normal(0, 1, 5000), rng.normal(0, 1, 5000)), 2)
        0.0

    """
    if reference.size == 0 or current.size == 0:
        raise ValueError("psi needs non-empty reference and current samples")
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))
    ref_share = np.bincount(np.searchsorted(edges, reference, "right"), minlength=edges.size + 1)
    cur_share = np.bincount(np.searchsorted(edges, current, "right"), minlength=edges.size + 1)
    ref = np.clip(ref_share / reference.size, 1e-4, None)
    cur = np.clip(cur_share / current.size, 1e-4, None)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def drift_report(
    reference: pa.Table,
    current: pa.Table,
    features: Sequence[str],
    *,
    psi_alert: float = PSI_ALERT,
    ks_alert: float = KS_ALERT,
    ks_pvalue: float = 0.001,
) -> DriftReport:
    """Compare each feature of ``current`` with ``reference`` (the training snapshot).

    Args:
        reference: Features the model was trained on (a pinned Delta version).
        current: The new batch's features.
        features: Columns to compare.
        psi_alert: PSI above which a feature counts as drifted.
        ks_alert: KS distance above which a feature counts as drifted ...
        ks_pvalue: ... provided the KS p-value is also below this (small batches are noisy).

    Returns:
        The per-feature report; ``report.alert`` says whether to act.

    Raises:
        ValueError: If a feature is missing from either table.

    """
    missing = [
        f for f in features if f not in reference.column_names or f not in current.column_names
    ]
    if missing:
        raise ValueError(f"features missing from the reference or the current batch: {missing}")
    results = []
    for name in features:
        ref = reference.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
        cur = current.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
        index = psi(ref, cur)
        ks = stats.ks_2samp(ref, cur)
        statistic = float(ks.statistic)
        results.append(
            FeatureDrift(
                name,
                index,
                statistic,
                float(ks.pvalue),
                index > psi_alert or (statistic > ks_alert and ks.pvalue < ks_pvalue),
            )
        )
    return DriftReport(tuple(results))

"""Strategy: interchangeable summary styles, picked by name at request time."""

from template_service.strategy.styles import (
    STRATEGIES,
    BulletSummary,
    OneLineSummary,
    SummaryStrategy,
    get_strategy,
)

__all__ = ["STRATEGIES", "BulletSummary", "OneLineSummary", "SummaryStrategy", "get_strategy"]

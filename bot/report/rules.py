"""The recommendation rule, kept in ``data/report/recommendations.yml``."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Tuple

from pydantic import BaseModel, Field, ValidationError, validator

from bot.needs.log import OUTCOMES
from bot.paths import REPORT_RULES_PATH
from bot.yaml_source import DataFileError, YamlSource


class TopicAdvice(BaseModel):
    """How the report names a question topic, and what makes asking it unnecessary.

    ``recommendation`` may use {requests}, {days} and {label}.
    """

    label: str
    recommendation: str = ""

    class Config:
        extra = "forbid"
        allow_mutation = False


class RecommendationRule(BaseModel):
    """When a need earns the owner recommendation (see the YAML file's comments)."""

    days: int = Field(7, ge=1, le=366)
    min_requests: int = Field(5, ge=1)
    min_unmet_share: float = Field(0.5, ge=0.0, le=1.0)
    count_as_unmet: Tuple[str, ...] = ("unmet", "escalated")
    recurring_min_requests: int = Field(30, ge=1)
    # questions answered from the business profile (hours, menu …): asked this
    # often in `days`, the topic's recommendation makes the answer unnecessary
    topic_min_requests: int = Field(10, ge=1)
    topics: Dict[str, TopicAdvice] = Field(default_factory=dict)

    class Config:
        extra = "forbid"
        allow_mutation = False

    @validator("count_as_unmet")
    def _known_outcomes(cls, value: Tuple[str, ...]) -> Tuple[str, ...]:  # noqa: N805
        unknown = [v for v in value if v not in OUTCOMES]
        if unknown:
            raise ValueError(f"unknown outcome(s) {unknown}; use {list(OUTCOMES)}")
        return value

    @classmethod
    def load(cls, path: Path = REPORT_RULES_PATH) -> "RecommendationRule":
        """Read the rule; a bad file names the field that is wrong."""
        source = YamlSource.read(path)
        try:
            return cls.parse_obj(source.plain() or {})
        except ValidationError as error:
            raise DataFileError(
                [source.problem(e["loc"], e["msg"]) for e in error.errors()]
            ) from error

    def topic_label(self, topic: str) -> str:
        """The configured label of a question topic (its id when none)."""
        advice = self.topics.get(topic)
        return advice.label if advice else topic

    def applies(self, requests: int, not_met: int) -> bool:
        """Whether the figures call for the recommendation."""
        if requests >= self.recurring_min_requests:
            return True
        return requests >= self.min_requests and not_met / requests >= self.min_unmet_share

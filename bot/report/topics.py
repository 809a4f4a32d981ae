"""Questions answered from the business profile, by topic, for the staff report.

Why: "mấy giờ quán mở cửa?" asked forty times a week is answered every time,
yet each one is a guest who had to ask. Counting topics (apart from the 16
needs) lets the report say which answer to put where guests look first; the
labels and the advice come from ``data/report/recommendations.yml``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.report.phrases import top_phrases
from bot.report.rules import RecommendationRule
from bot.store.models import QuestionAsked


@dataclass
class TopicSummary:
    """One question topic over the period."""

    topic: str
    label: str
    requests: int = 0
    top_phrases: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class TopicAdvice:
    """The recommendation a frequent topic earns: (topic, label, message)."""

    topic: str
    label: str
    message: str


def summarise_topics(
    engine: Engine,
    rule: RecommendationRule,
    start: datetime,
    end: datetime,
    channel: Optional[str] = None,
) -> Tuple[List[TopicSummary], List[TopicAdvice]]:
    """Topics asked in ``[start, end)`` (on ``channel`` if given), most asked first, and advice."""
    window_start = end - timedelta(days=rule.days)
    rows = _questions(engine, min(start, window_start), end, channel)
    in_period = _by_topic(r for r in rows if start <= r.created_at < end)
    summaries = [
        TopicSummary(topic, rule.topic_label(topic), len(texts), top_phrases(texts))
        for topic, texts in in_period.items()
    ]
    summaries.sort(key=lambda s: (-s.requests, s.topic))
    return summaries, _advice(_by_topic(r for r in rows if r.created_at >= window_start), rule)


def _advice(by_topic: Dict[str, List[str]], rule: RecommendationRule) -> List[TopicAdvice]:
    advice = []
    for topic, texts in sorted(by_topic.items(), key=lambda entry: -len(entry[1])):
        configured = rule.topics.get(topic)
        if configured is None or not configured.recommendation:
            continue
        if len(texts) < rule.topic_min_requests:
            continue
        message = configured.recommendation.format(
            requests=len(texts), days=rule.days, label=configured.label
        )
        advice.append(TopicAdvice(topic, configured.label, message))
    return advice


def _by_topic(rows: Iterable[QuestionAsked]) -> Dict[str, List[str]]:
    grouped: Dict[str, List[str]] = defaultdict(list)
    for row in rows:
        grouped[row.topic].append(row.text or "")
    return grouped


def _questions(
    engine: Engine, start: datetime, end: datetime, channel: Optional[str]
) -> Sequence[QuestionAsked]:
    query = (
        select(QuestionAsked)
        .where(QuestionAsked.created_at >= start, QuestionAsked.created_at < end)
        .order_by(QuestionAsked.created_at)
    )
    if channel:
        query = query.where(QuestionAsked.channel == channel)
    with engine.connect() as connection:
        return list(connection.execute(query).all())

"""``python -m bot seed-demo``: a realistic month of synthetic needs.

Guests' words are sampled from the NLU training examples, so the report's
"what guests said" columns read like the real thing. Rates and outcomes are
chosen to tell the founding story: many charger requests, most of them unmet,
so the report recommends chargers at the counter; staff answer the escalations
(most within minutes, a few late) and about a third of the guests rate the
conversation, lower when their need went unmet. Deterministic for a seed;
running it twice updates the same rows instead of adding new ones.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Dict, List, Sequence, Tuple

import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.needs.catalog import Catalog
from bot.needs.log import (
    ESCALATED,
    MET,
    NO_ANSWER,
    UNMET,
    UNRECOGNIZED,
    Context,
    HandoffRequested,
    NeedOpened,
    NeedUpdated,
)
from bot.paths import DATA_DIR
from bot.store import handover, ratings
from bot.store.models import Conversation, NeedOccurrence
from bot.store.needlog import apply_payload, to_payload, utcnow

if TYPE_CHECKING:  # pragma: no cover
    from bot.rasa.spacy_items import ItemMatcher

# Requests per day and outcome weights (met, unmet, escalated, no_answer).
PROFILE: Dict[str, Tuple[float, Tuple[float, float, float, float]]] = {
    "phone_power": (1.8, (0.25, 0.5, 0.15, 0.1)),
    "internet_access": (3.0, (0.85, 0.05, 0.05, 0.05)),
    "restroom": (2.0, (0.95, 0.0, 0.0, 0.05)),
    "stay_dry": (1.0, (0.45, 0.35, 0.1, 0.1)),
    "payment": (1.5, (0.8, 0.1, 0.05, 0.05)),
    "time_pressure": (1.2, (0.7, 0.1, 0.1, 0.1)),
    "dietary": (1.0, (0.8, 0.05, 0.1, 0.05)),
    "parking": (1.0, (0.6, 0.25, 0.1, 0.05)),
    "workspace": (0.8, (0.7, 0.15, 0.05, 0.1)),
    "child_care": (0.6, (0.5, 0.3, 0.1, 0.1)),
    "transport": (0.7, (0.8, 0.05, 0.1, 0.05)),
    "comfort_temperature": (0.8, (0.75, 0.1, 0.1, 0.05)),
    "celebration": (0.3, (0.8, 0.0, 0.15, 0.05)),
    "lost_item": (0.3, (0.5, 0.2, 0.25, 0.05)),
    "accessibility": (0.2, (0.6, 0.2, 0.15, 0.05)),
    "health_aid": (0.15, (0.6, 0.0, 0.35, 0.05)),
}
OUTCOMES = (MET, UNMET, ESCALATED, NO_ANSWER)
STAFF = ("Lan", "Minh", "Hà")
RATED_SHARE = 0.35  # guests who tap a star when asked
# Weights of 1–5 stars by the need's outcome.
STARS: Dict[str, Tuple[int, ...]] = {
    MET: (1, 1, 3, 15, 30),
    UNMET: (6, 8, 8, 4, 2),
    ESCALATED: (3, 5, 8, 8, 5),
    NO_ANSWER: (2, 2, 6, 6, 4),
}
COMMENTS: Dict[int, Tuple[str, ...]] = {
    1: ("Hỏi sạc mà không có, thất vọng quá", "Chờ mãi không thấy ai ra"),
    2: ("Nhân viên ra hơi chậm", "Không có thứ mình cần"),
    3: ("Tạm ổn", "Bot trả lời nhanh nhưng quán thiếu đồ"),
    4: ("Em trả lời nhanh, cảm ơn", "Khá ổn, lần sau có sạc ở quầy thì tốt"),
    5: ("Tuyệt vời, nhân viên rất nhiệt tình!", "Hỗ trợ nhanh quá, cảm ơn quán"),
}
# A need nobody has modelled yet shows up in the report's unrecognised groups.
NEW_NEED_REQUESTS = (
    "quán có cho mang chó vào không",
    "cho mình mang mèo vào quán được ko",
    "quan co cho dat thu cung vao khong em",
    "mình đi cùng cún, ngồi trong quán được không",
    "có chỗ cho chó ngồi không em",
)


def _examples(intent: str) -> List[str]:
    path = (
        DATA_DIR
        / "nlu"
        / ("conversation.yml" if intent == "out_of_scope" else f"needs/{intent}.yml")
    )
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for block in data.get("nlu") or []:
        if block.get("intent") == intent:
            return [
                line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")
            ]
    return []


def _poisson(rng: random.Random, mean: float) -> int:
    count, threshold, product = 0, pow(2.718281828, -mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def seed_demo(engine: Engine, catalog: Catalog, days: int = 30, seed: int = 7) -> int:
    """Write ``days`` days of synthetic needs; returns how many needs were written."""
    from bot.paths import CATALOG_PATH, LEXICON_PATH
    from bot.rasa.resources import LanguageResources
    from bot.rasa.spacy_items import ItemMatcher

    rng = random.Random(seed)
    matcher = ItemMatcher(LanguageResources.from_files(CATALOG_PATH, LEXICON_PATH))
    now = utcnow()
    payloads: List[dict] = []
    written = 0
    texts = {need: _examples(need) for need in PROFILE}
    out_of_scope = _examples("out_of_scope")
    for day in range(days, 0, -1):
        rainy = rng.random() < 0.3
        for need, (rate, weights) in PROFILE.items():
            mean = rate * (4.0 if need == "stay_dry" and rainy else 1.0)
            mean *= 1.3 if (now - timedelta(days=day)).weekday() >= 5 else 1.0
            for _ in range(_poisson(rng, mean)):
                at = now - timedelta(days=day, minutes=rng.randint(0, 24 * 60 - 1))
                payloads += _need_payloads(rng, catalog, matcher, need, texts[need], weights, at)
                written += 1
        for _ in range(_poisson(rng, 0.8)):
            at = now - timedelta(days=day, minutes=rng.randint(0, 1439))
            payloads += _unrecognised(rng, rng.choice(out_of_scope), at)
            written += 1
        if rng.random() < 0.25:
            at = now - timedelta(days=day, minutes=rng.randint(0, 1439))
            payloads += _unrecognised(rng, rng.choice(NEW_NEED_REQUESTS), at)
            written += 1
    with engine.begin() as connection:
        for payload in payloads:
            apply_payload(connection, payload)
    _seed_service(engine, rng, since=now - timedelta(days=days + 1), now=now)
    return written


def _seed_service(engine: Engine, rng: random.Random, since: datetime, now: datetime) -> None:
    """Staff answer the month's escalations (most within minutes) and some guests rate."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(NeedOccurrence)
            .where(NeedOccurrence.model_id == "demo", NeedOccurrence.created_at >= since)
            .where(NeedOccurrence.need != UNRECOGNIZED)
            .order_by(NeedOccurrence.created_at)
        ).all()
        waiting = dict(
            connection.execute(
                select(Conversation.conversation_key, Conversation.id).where(
                    Conversation.status == handover.WAITING
                )
            ).all()
        )
    for row in rows:
        conversation = waiting.get(row.conversation_key)
        if conversation is not None and now - row.created_at > timedelta(hours=2):
            replied = row.created_at + timedelta(seconds=rng.lognormvariate(4.6, 0.9))
            handover.reply(engine, conversation, rng.choice(STAFF), "Dạ em ra ngay ạ", replied)
            handover.hand_back(engine, conversation, replied + timedelta(minutes=5))
        if rng.random() < RATED_SHARE:
            stars = rng.choices((1, 2, 3, 4, 5), weights=STARS[row.outcome or NO_ANSWER])[0]
            comment = rng.choice(COMMENTS[stars]) if rng.random() < 0.3 else None
            card = ratings.GuestRating(f"demo-{row.key}", stars, comment, "thanks")
            ratings.rate(engine, row.conversation_key, card, row.created_at + timedelta(minutes=6))


def _context(rng: random.Random) -> Context:
    conversation = hashlib.sha256(str(rng.random()).encode()).hexdigest()[:32]
    return Context(
        conversation,
        str(rng.getrandbits(64)),
        channel=rng.choice(["rest", "socketio"]),
        model_id="demo",
    )


def _need_payloads(
    rng: random.Random,
    catalog: Catalog,
    matcher: "ItemMatcher",
    need_id: str,
    texts: Sequence[str],
    weights: Sequence[float],
    at: datetime,
) -> List[dict]:
    need = catalog.need(need_id)
    text = rng.choice(texts)
    context = _context(rng)
    key = hashlib.sha256(f"demo|{context.conversation_key}|{need_id}".encode()).hexdigest()[:32]
    found = [m for m in matcher.match_text(text) if need_id in catalog.needs_for_item(m.item_id)]
    item = text[found[0].start : found[0].end] if found else None
    outcome = rng.choices(OUTCOMES, weights=weights)[0]
    sub_goal = rng.choice(need.clarify.options).id if need.clarify else None
    offered = tuple(a.text for a in need.offers(sub_goal))[:2]
    records: List[dict] = [
        to_payload(
            NeedOpened(
                key, need_id, text, context, item=item, confidence=round(rng.uniform(0.6, 1.0), 3)
            ),
            at,
        ),
        to_payload(
            NeedUpdated(key, sub_goal=sub_goal, alternatives=offered, outcome=outcome),
            at + timedelta(minutes=2),
        ),
    ]
    if outcome == ESCALATED and rng.random() < 0.2:
        records.append(to_payload(HandoffRequested(key, text, context, need=need_id), at))
    return records


def _unrecognised(rng: random.Random, text: str, at: datetime) -> List[dict]:
    context = _context(rng)
    key = hashlib.sha256(f"demo|{context.conversation_key}|{UNRECOGNIZED}".encode()).hexdigest()[
        :32
    ]
    return [to_payload(NeedOpened(key, UNRECOGNIZED, text, context, confidence=0.3), at)]

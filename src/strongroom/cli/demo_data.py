"""Synthetic customers for the demo, as the tracking calls a web shop would send.

The random numbers here only make up data, so a seeded, non-cryptographic generator is right.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from faker import Faker

PRODUCTS = (
    ("SKU-TEA-01", "Green tea, 250 g", 12.5),
    ("SKU-MUG-02", "Stoneware mug", 18.0),
    ("SKU-POT-03", "Cast-iron teapot", 64.0),
    ("SKU-FLT-04", "Steel tea filter", 7.25),
    ("SKU-SET-05", "Tasting set", 39.9),
)
INCOME_BANDS = ("<25k", "25-50k", "50-100k", "100k+")


def demo_messages(
    customers: int, *, seed: int, now: datetime | None = None
) -> list[dict[str, Any]]:
    """All tracking calls for ``customers`` synthetic people, oldest first."""
    fake = Faker()
    Faker.seed(seed)
    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    now = now or datetime.now(UTC)
    messages = [m for _ in range(customers) for m in _one_customer(fake, rng, now)]
    messages.sort(key=lambda message: message["timestamp"])
    return messages


def batches(messages: list[dict[str, Any]], size: int = 100) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(messages), size):
        yield messages[start : start + size]


def _one_customer(fake: Faker, rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    anonymous_id = str(uuid.UUID(int=rng.getrandbits(128)))
    user_id = f"user-{rng.getrandbits(40):010x}"
    first_seen = now - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1440))
    clock = _Clock(first_seen, rng)
    calls = [_call(rng, "page", clock.tick(), anonymousId=anonymous_id, name="Home")]
    calls.append(
        _call(
            rng,
            "identify",
            clock.tick(),
            anonymousId=anonymous_id,
            userId=user_id,
            traits=_traits(fake, rng),
            context=_consent(rng),
        )
    )
    for _ in range(rng.randint(1, 6)):
        sku, name, price = rng.choice(PRODUCTS)
        calls.append(
            _call(
                rng,
                "track",
                clock.tick(),
                userId=user_id,
                event="Product Viewed",
                properties={"sku": sku, "name": name, "price": price},
            )
        )
    for _ in range(rng.choices((0, 1, 2, 3, 4), weights=(3, 4, 2, 1, 1))[0]):
        calls.append(
            _call(
                rng,
                "track",
                clock.tick(),
                userId=user_id,
                event="Order Completed",
                properties=_order(rng),
            )
        )
    return calls


class _Clock:
    def __init__(self, start: datetime, rng: random.Random) -> None:
        self._now, self._rng = start, rng

    def tick(self) -> datetime:
        self._now += timedelta(hours=self._rng.randint(1, 240))
        return self._now


def _call(rng: random.Random, kind: str, when: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "messageId": str(uuid.UUID(int=rng.getrandbits(128))),
        "timestamp": when.isoformat(),
        **fields,
    }


def _traits(fake: Faker, rng: random.Random) -> dict[str, Any]:
    first, last = fake.first_name(), fake.last_name()
    return {
        "email": f"{first}.{last}{rng.randint(1, 999)}@{fake.free_email_domain()}".lower(),
        "phone": fake.phone_number(),
        "firstName": first,
        "lastName": last,
        "address": {
            "street": fake.street_address(),
            "city": fake.city(),
            "postalCode": fake.postcode(),
            "country": "US",
        },
        "birthday": fake.date_of_birth(minimum_age=18, maximum_age=85).isoformat(),
        "age": rng.randint(18, 85),
        "gender": rng.choice(("female", "male", "non-binary", "undisclosed")),
        "incomeBand": rng.choice(INCOME_BANDS),
        "occupation": fake.job()[:100],
        "favouriteTea": rng.choice(("sencha", "assam", "oolong", "rooibos")),
    }


def _consent(rng: random.Random) -> dict[str, Any]:
    return {
        "consent": {"categoryPreferences": {"marketing": rng.random() < 0.6, "analytics": True}}
    }


def _order(rng: random.Random) -> dict[str, Any]:
    chosen = [(product, rng.randint(1, 3)) for product in rng.sample(PRODUCTS, rng.randint(1, 3))]
    lines = [
        {"sku": sku, "name": name, "price": price, "quantity": quantity}
        for (sku, name, price), quantity in chosen
    ]
    total = round(sum(price * quantity for (_, _, price), quantity in chosen), 2)
    return {
        "order_id": f"ord-{rng.getrandbits(48):012x}",
        "total": total,
        "currency": "USD",
        "products": lines,
    }

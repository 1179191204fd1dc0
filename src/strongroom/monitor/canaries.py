"""Canary customers: made-up people who look exactly like real ones, as tracking calls.

Realistic names and addresses (Faker), working-looking email addresses, a phone number, and an
order paid with a card number that passes the Luhn check and has a real brand's prefix. The
random numbers only make up data, so a seedable, non-cryptographic generator is right.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from faker import Faker

from strongroom.core.models import JsonObject
from strongroom.vault.cards import luhn_valid

# (brand prefix, length): Visa and Mastercard, the commonest cards: a canary's is unremarkable.
_CARD_SHAPES = (("4", 16), ("51", 16), ("52", 16), ("53", 16), ("54", 16), ("55", 16))
_PRODUCTS = (
    ("SKU-TEA-01", "Green tea, 250 g", 12.5),
    ("SKU-MUG-02", "Stoneware mug", 18.0),
    ("SKU-POT-03", "Cast-iron teapot", 64.0),
    ("SKU-SET-05", "Tasting set", 39.9),
)


@dataclass(frozen=True, slots=True)
class Canary:
    """One made-up customer: their user id, and the calls that bring them into the store."""

    user_id: str
    email: str
    calls: tuple[JsonObject, ...]


def luhn_card_number(rng: random.Random) -> str:
    """A card number with a Visa or Mastercard prefix and a valid Luhn check digit."""
    prefix, length = rng.choice(_CARD_SHAPES)
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("one check digit always fits")  # pragma: no cover


def make_canaries(
    count: int, *, now: datetime, email_domain: str | None = None, seed: int | None = None
) -> list[Canary]:
    """``count`` canary customers, each an identify call and an order paid by card."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    fake = Faker()
    fake.seed_instance(rng.getrandbits(32))
    return [_canary(fake, rng, now, email_domain) for _ in range(count)]


def _canary(fake: Faker, rng: random.Random, now: datetime, domain: str | None) -> Canary:
    first, last = fake.first_name(), fake.last_name()
    email = f"{first}.{last}{rng.randint(1, 999)}@{domain or fake.free_email_domain()}".lower()
    user_id = f"user-{rng.getrandbits(40):010x}"
    anonymous_id = str(uuid.UUID(int=rng.getrandbits(128)))
    joined = now - timedelta(days=rng.randint(20, 400), minutes=rng.randint(0, 1439))
    traits: JsonObject = {
        "email": email,
        "phone": fake.phone_number(),
        "firstName": first,
        "lastName": last,
        "address": {
            "street": fake.street_address(),
            "city": fake.city(),
            "postalCode": fake.postcode(),
            "country": "US",
        },
        "birthday": fake.date_of_birth(minimum_age=21, maximum_age=80).isoformat(),
        "age": rng.randint(21, 80),
        "occupation": fake.job()[:100],
    }
    identify: JsonObject = {
        "type": "identify",
        "messageId": str(uuid.uuid4()),
        "userId": user_id,
        "anonymousId": anonymous_id,
        "timestamp": joined.isoformat(),
        "traits": traits,
    }
    return Canary(user_id, email, (identify, _order(rng, user_id, joined)))


def _order(rng: random.Random, user_id: str, joined: datetime) -> JsonObject:
    sku, name, price = rng.choice(_PRODUCTS)
    quantity = rng.randint(1, 3)
    when = joined + timedelta(days=rng.randint(1, 15), minutes=rng.randint(0, 1439))
    return {
        "type": "track",
        "event": "Order Completed",
        "messageId": str(uuid.uuid4()),
        "userId": user_id,
        "timestamp": when.isoformat(),
        "properties": {
            "order_id": f"ord-{rng.getrandbits(48):012x}",
            "currency": "USD",
            "total": round(price * quantity, 2),
            "products": [{"sku": sku, "name": name, "price": price, "quantity": quantity}],
            "payment": {"card_number": luhn_card_number(rng)},
        },
    }

"""The declared schema of customer data: every known field, its data class and its protection.

Declared once, as data. Collection classifies by it, the vault protects by it, the policy masks by
it, and the documentation test checks that every field here is documented.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DataClass(StrEnum):
    """The kinds of customer data, plus what could not be classified."""

    PII = "pii"
    DEMOGRAPHIC = "demographic"
    BEHAVIORAL = "behavioral"
    TRANSACTIONAL = "transactional"
    PAYMENT = "payment"  # card numbers: never stored with the customer, only tokenised
    UNCLASSIFIED = "unclassified"


class Protection(StrEnum):
    """How a field is kept at rest."""

    ENCRYPTED = "encrypted"  # AES-256-GCM under the customer's own key
    PLAIN = "plain"  # stored as is; not identifying on its own
    TOKENIZED = "tokenized"  # replaced by a random token; kept encrypted apart, under the token key


PROTECTION_BY_CLASS: dict[DataClass, Protection] = {
    DataClass.PII: Protection.ENCRYPTED,
    DataClass.UNCLASSIFIED: Protection.ENCRYPTED,  # what we cannot classify we treat as sensitive
    DataClass.DEMOGRAPHIC: Protection.PLAIN,
    DataClass.BEHAVIORAL: Protection.PLAIN,
    DataClass.TRANSACTIONAL: Protection.PLAIN,
    DataClass.PAYMENT: Protection.TOKENIZED,
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One known customer field: its stored name, class, the trait names clients send for it."""

    name: str
    data_class: DataClass
    aliases: tuple[str, ...]
    description: str
    searchable: bool = False  # keeps a blind index so staff can look a customer up by it

    @property
    def protection(self) -> Protection:
        return PROTECTION_BY_CLASS[self.data_class]


CUSTOMER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("email", DataClass.PII, ("email",), "Email address", searchable=True),
    FieldSpec(
        "phone",
        DataClass.PII,
        ("phone", "phoneNumber", "phone_number"),
        "Phone number",
        searchable=True,
    ),
    FieldSpec("first_name", DataClass.PII, ("firstName", "first_name"), "Given name"),
    FieldSpec("last_name", DataClass.PII, ("lastName", "last_name"), "Family name"),
    FieldSpec("name", DataClass.PII, ("name",), "Full name"),
    FieldSpec("address", DataClass.PII, ("address",), "Postal address (object or string)"),
    FieldSpec("birthday", DataClass.PII, ("birthday",), "Date of birth"),
    FieldSpec("age", DataClass.DEMOGRAPHIC, ("age",), "Age in years"),
    FieldSpec("gender", DataClass.DEMOGRAPHIC, ("gender",), "Gender as stated by the customer"),
    FieldSpec("income_band", DataClass.DEMOGRAPHIC, ("incomeBand", "income_band"), "Income band"),
    FieldSpec("occupation", DataClass.DEMOGRAPHIC, ("occupation",), "Occupation"),
)

FIELDS_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in CUSTOMER_FIELDS}

# Traits a client sent that match no known field are kept together, encrypted, under this name.
EXTRA_TRAITS_FIELD = "extra_traits"

# Event and order data are classified as wholes: an event is behavior, an order a transaction.
EVENT_DATA_CLASS = DataClass.BEHAVIORAL
ORDER_DATA_CLASS = DataClass.TRANSACTIONAL
# A card number sent with a call is payment data wherever it was sent.
CARD_DATA_CLASS = DataClass.PAYMENT


@dataclass(frozen=True, slots=True)
class EventFieldSpec:
    """A known event property or context field: its class; ``scanned`` if detectors check it too.

    A scanned field (a URL, a page title) is declared behavioral, but its values still pass the
    PII detectors: a URL may carry an e-mail address in its query string.
    """

    name: str
    data_class: DataClass
    aliases: tuple[str, ...]
    description: str
    scanned: bool = False


def _behavioral(name: str, *aliases: str, scanned: bool = False) -> EventFieldSpec:
    return EventFieldSpec(name, DataClass.BEHAVIORAL, (name, *aliases), name, scanned)


def _transactional(name: str, *aliases: str) -> EventFieldSpec:
    return EventFieldSpec(name, DataClass.TRANSACTIONAL, (name, *aliases), name)


# Segment's e-commerce and page specs: properties whose meaning is known, stored in the clear.
EVENT_PROPERTIES: tuple[EventFieldSpec, ...] = (
    *(_behavioral(n) for n in ("product_id", "sku", "category", "brand", "variant", "position")),
    *(_behavioral(n) for n in ("list_id", "cart_id", "checkout_id", "step", "affiliation")),
    *(_behavioral(n) for n in ("shipping_method", "payment_method", "promotion_id", "creative")),
    _behavioral("name", scanned=True),  # the product's (or page's) name
    _behavioral("products", scanned=True),
    _behavioral("path", scanned=True),
    _behavioral("url", scanned=True),
    _behavioral("referrer", scanned=True),
    _behavioral("title", scanned=True),
    _behavioral("search", scanned=True),
    _behavioral("image_url", scanned=True),
    _behavioral("coupon", scanned=True),
    *(_transactional(n) for n in ("price", "quantity", "revenue", "currency", "order_id")),
    *(_transactional(n) for n in ("total", "subtotal", "tax", "shipping", "discount", "value")),
    EventFieldSpec("card_token", DataClass.PAYMENT, ("card_token",), "the card's vault token"),
    EventFieldSpec("card_last4", DataClass.PAYMENT, ("card_last4",), "the card's last 4 digits"),
    EventFieldSpec("card_brand", DataClass.PAYMENT, ("card_brand",), "the card's network"),
)

# The context fields kept with an event (dotted paths into ``context``); the rest is dropped.
CONTEXT_FIELDS: tuple[EventFieldSpec, ...] = (
    EventFieldSpec("ip", DataClass.PII, ("ip",), "the client's IP address"),
    EventFieldSpec("userAgent", DataClass.PII, ("userAgent",), "the client's user agent"),
    _behavioral("locale"),
    _behavioral("timezone"),
    _behavioral("page.path", scanned=True),
    _behavioral("page.url", scanned=True),
    _behavioral("page.referrer", scanned=True),
    _behavioral("page.title", scanned=True),
    _behavioral("page.search", scanned=True),
    _behavioral("library.name"),
    _behavioral("library.version"),
)

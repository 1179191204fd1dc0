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

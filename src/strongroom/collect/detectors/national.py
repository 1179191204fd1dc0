"""National identity and tax numbers, each checked by its own rules (``python-stdnum``).

Numbers that are only digits with a weak check (a 9-digit BSN passes its 11-test one time in
eleven) score low on their own and reach the PII threshold only under a key that names them.
"""

from __future__ import annotations

import re

from stdnum.de import idnr
from stdnum.es import dni
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.us import ssn

from strongroom.collect.detectors.base import Pattern, PiiDetector


class _CheckedNumber(PiiDetector):
    """A national number: a pattern, then the number's own validity check."""

    def validate(self, text: str, start: int, end: int, score: float) -> float | None:
        return score if self.is_valid_number(text[start:end]) else None

    def is_valid_number(self, value: str) -> bool:
        raise NotImplementedError


class UsSsnDetector(_CheckedNumber):
    """US Social Security number: no 000/666/9xx area, no 00 group, no 0000 serial."""

    name = "us_ssn"
    pii_type = "us_ssn"
    MIN_DIGITS = 9
    PATTERNS = (
        Pattern("dashed", r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])", 0.6),
        Pattern("digits", r"(?<![\d-])\d{9}(?![\d-])", 0.3),
    )
    CONTEXT_KEYS = frozenset({"ssn", "social_security_number", "social_security", "us_ssn"})
    CONTEXT_BOOST = 0.4

    def is_valid_number(self, value: str) -> bool:
        return ssn.is_valid(value)


# HMRC: the first letter is not D, F, I, Q, U or V; the second not those nor O; some pairs unused.
_NINO = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]")
_NINO_UNUSED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _nino_valid(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    return _NINO.fullmatch(compact) is not None and compact[:2] not in _NINO_UNUSED_PREFIXES


class UkNinoDetector(_CheckedNumber):
    """UK National Insurance number (``QQ 12 34 56 C``); it has no check digit, only its rules."""

    name = "uk_nino"
    pii_type = "uk_nino"
    MIN_DIGITS = 6
    MIN_LENGTH = 9
    NEEDS_UPPER = True
    PATTERNS = (Pattern("nino", r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", 0.7),)
    CONTEXT_KEYS = frozenset({"nino", "national_insurance_number", "ni_number"})

    def is_valid_number(self, value: str) -> bool:
        return _nino_valid(value)


class DeTaxIdDetector(_CheckedNumber):
    """German tax id (Steuerliche Identifikationsnummer): 11 digits, ISO 7064 check digit."""

    name = "de_tax_id"
    pii_type = "de_tax_id"
    MIN_DIGITS = 11
    PATTERNS = (
        Pattern("grouped", r"(?<![\d-])\d{2} \d{3} \d{3} \d{3}(?![\d-])", 0.5),
        Pattern("digits", r"(?<![\d-])\d{11}(?![\d-])", 0.4),
    )
    CONTEXT_KEYS = frozenset({"steuer_id", "steuerid", "idnr", "tax_id", "steuer_idnr"})
    CONTEXT_BOOST = 0.4

    def is_valid_number(self, value: str) -> bool:
        return idnr.is_valid(value)


class FrNirDetector(_CheckedNumber):
    """French social security number (NIR): 13 digits and a mod-97 key; Corsica as 2A/2B."""

    name = "fr_nir"
    pii_type = "fr_nir"
    MIN_DIGITS = 12  # 13 or 14 (Corsica's 2A and 2B hold one digit, not two)
    MIN_LENGTH = 13
    PATTERNS = (
        Pattern(
            "nir",
            r"(?<![\d-])[12] ?\d{2} ?\d{2} ?(?:\d{2}|2A|2B) ?\d{3} ?\d{3} ?\d{2}(?![\d-])",
            0.8,
        ),
    )
    CONTEXT_KEYS = frozenset({"nir", "numero_securite_sociale", "insee"})

    def is_valid_number(self, value: str) -> bool:
        return nir.is_valid(value)


class NlBsnDetector(_CheckedNumber):
    """Dutch citizen service number (BSN): 9 digits passing the 11-test."""

    name = "nl_bsn"
    pii_type = "nl_bsn"
    MIN_DIGITS = 9
    PATTERNS = (
        Pattern("digits", r"(?<![\d.-])\d{9}(?![\d.-])", 0.3),
        Pattern("dotted", r"(?<![\d.])\d{4}\.\d{2}\.\d{3}(?![\d.])", 0.5),
    )
    CONTEXT_KEYS = frozenset({"bsn", "burgerservicenummer", "sofinummer"})
    CONTEXT_BOOST = 0.4

    def is_valid_number(self, value: str) -> bool:
        return bsn.is_valid(value)


class EsDniDetector(_CheckedNumber):
    """Spanish national identity document number: 8 digits and their check letter."""

    name = "es_dni"
    pii_type = "es_dni"
    MIN_DIGITS = 8
    MIN_LENGTH = 9
    NEEDS_UPPER = True  # the check letter
    PATTERNS = (Pattern("dni", r"(?<![\w-])\d{8}-?[A-Z](?![\w-])", 0.8),)
    CONTEXT_KEYS = frozenset({"dni", "nif", "documento"})

    def is_valid_number(self, value: str) -> bool:
        return dni.is_valid(value)


_CF_DIGIT = "[0-9LMNPQRSTUV]"  # omocodia: clashing codes swap digits for these letters


class ItFiscalCodeDetector(_CheckedNumber):
    """Italian codice fiscale: 16 characters, their control letter valid."""

    name = "it_fiscal_code"
    pii_type = "it_fiscal_code"
    MIN_LENGTH = 16  # no MIN_DIGITS: omocodia may replace every digit by a letter
    NEEDS_UPPER = True
    PATTERNS = (
        Pattern(
            "codice_fiscale",
            rf"\b[A-Z]{{6}}{_CF_DIGIT}{{2}}[A-EHLMPR-T]{_CF_DIGIT}{{2}}[A-Z]{_CF_DIGIT}{{3}}[A-Z]\b",
            0.9,
        ),
    )
    CONTEXT_KEYS = frozenset({"codice_fiscale", "codicefiscale", "fiscal_code"})
    CONTEXT_BOOST = 0.1

    def is_valid_number(self, value: str) -> bool:
        return codicefiscale.is_valid(value)

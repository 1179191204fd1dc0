"""Finding customers by a searchable field: shortened blind index first, then decryption.

The index narrows the search to a few candidates; only candidates whose decrypted value equals
the sought one count, so collisions (wanted, for privacy) never leak into results.
"""

from __future__ import annotations

from collections.abc import Iterable

from strongroom.core.models import CustomerId
from strongroom.core.ports import UnitOfWork
from strongroom.vault.blindindex import normalise_identifier
from strongroom.vault.service import SubjectVault


def match_customers(
    uow: UnitOfWork, vault: SubjectVault, field: str, values: Iterable[str]
) -> dict[str, list[CustomerId]]:
    """For each normalised value, the customers whose ``field`` decrypts to exactly it."""
    wanted = {normalise_identifier(field, value) for value in values}
    lookups = {lookup for value in wanted for _, lookup in vault.search_values(field, value)}
    if not lookups:
        return {}
    candidates = uow.customers.get_many(uow.customers.find_by_blind_index(field, list(lookups)))
    keys = uow.subject_keys.get_many(list(candidates))
    matches: dict[str, list[CustomerId]] = {value: [] for value in wanted}
    for customer_id in sorted(candidates):
        ciphertext = candidates[customer_id].encrypted.get(field)
        wrapped = keys.get(customer_id)
        if ciphertext is None or wrapped is None:
            continue  # erased, or the field was removed since it was indexed
        subject_key = vault.open_subject_key(wrapped)
        plain = vault.decrypt(
            subject_key, customer_id=customer_id, field=field, ciphertext=ciphertext
        )
        if isinstance(plain, str) and (found := normalise_identifier(field, plain)) in matches:
            matches[found].append(customer_id)
    return matches

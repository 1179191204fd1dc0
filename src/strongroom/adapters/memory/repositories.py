"""In-memory fakes of every repository port, working on a unit of work's staged store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeVar

from strongroom.adapters.customer_fields import check_customer_fields, check_encrypted_field
from strongroom.adapters.memory.identity import (
    ConsentMoves,
    EventMoves,
    IdentifierCounts,
    OrderMoves,
)
from strongroom.adapters.memory.store import Staging, as_utc, check_new, stored_customer
from strongroom.adapters.paging import check_limit
from strongroom.core.clock import ensure_utc
from strongroom.core.errors import NotFoundError
from strongroom.core.models import (
    ApiToken,
    BlindIndexEntry,
    Consent,
    CustomerId,
    Event,
    Identifier,
    IdentifierKind,
    Order,
    Principal,
    StoredCustomer,
    SubjectKey,
    WrappedDataKey,
)

R = TypeVar("R", Event, Order)


class MemoryCustomerRepository:
    """Fake of CustomerRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def get_many(self, ids: Sequence[CustomerId]) -> dict[CustomerId, StoredCustomer]:
        stored = self._staging.store.customers
        return {i: deepcopy(stored[i]) for i in ids if i in stored}

    def add(self, customers: Sequence[StoredCustomer]) -> None:
        for customer in customers:
            check_customer_fields(customer)
        stored = self._staging.store.customers
        check_new(stored, (c.id for c in customers), "customer id")
        stored.update((c.id, stored_customer(deepcopy(c))) for c in customers)

    def update(self, customers: Sequence[StoredCustomer]) -> None:
        for customer in customers:
            check_customer_fields(customer)
        stored = self._staging.store.customers
        for customer in customers:
            if customer.id in stored:
                kept = replace(deepcopy(customer), created_at=stored[customer.id].created_at)
                stored[customer.id] = stored_customer(kept)

    def find_by_blind_index(self, field: str, values: Sequence[bytes]) -> list[CustomerId]:
        wanted = set(values)
        indexes = self._staging.store.blind_indexes
        return sorted({cid for (cid, f, _), v in indexes.items() if f == field and v in wanted})

    def replace_blind_indexes(self, entries: Sequence[BlindIndexEntry]) -> None:
        indexes = self._staging.store.blind_indexes
        for e in entries:
            indexes[(e.customer_id, e.field, e.key_version)] = e.value

    def count(self) -> int:
        return len(self._staging.store.customers)

    def missing_blind_index(
        self, field: str, key_version: int, *, limit: int, start: CustomerId | None = None
    ) -> list[CustomerId]:
        check_encrypted_field(field)
        check_limit(limit)
        indexes = self._staging.store.blind_indexes
        keyed = self._staging.store.subject_keys
        missing = [
            cid
            for cid, customer in self._staging.store.customers.items()
            if field in customer.encrypted
            and (cid, field, key_version) not in indexes
            and cid in keyed  # an erased customer can never be indexed again
            and cid >= (start or "")
        ]
        return sorted(missing)[:limit]

    def count_blind_indexes(self) -> dict[tuple[str, int], int]:
        return dict(Counter((f, v) for _, f, v in self._staging.store.blind_indexes))

    def delete_blind_indexes(self, key_version: int) -> int:
        indexes = self._staging.store.blind_indexes
        doomed = [key for key in indexes if key[2] == key_version]
        for key in doomed:
            del indexes[key]
        return len(doomed)


class MemorySubjectKeyRepository:
    """Fake of SubjectKeyRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def get_many(self, ids: Sequence[CustomerId]) -> dict[CustomerId, SubjectKey]:
        stored = self._staging.store.subject_keys
        return {i: stored[i] for i in ids if i in stored}

    def add(self, keys: Sequence[SubjectKey]) -> None:
        stored = self._staging.store.subject_keys
        check_new(stored, (k.customer_id for k in keys), "subject key")
        stored.update((k.customer_id, k) for k in keys)

    def not_wrapped_by(
        self, kek_version: int, *, limit: int, start: CustomerId | None = None
    ) -> list[SubjectKey]:
        check_limit(limit)
        stored = self._staging.store.subject_keys
        others = sorted(
            cid
            for cid, k in stored.items()
            if k.kek_version != kek_version and cid >= (start or "")
        )
        return [stored[cid] for cid in others[:limit]]

    def rewrap(self, keys: Sequence[SubjectKey]) -> None:
        """Replace each stored key's wrapped form and KEK version; unknown customers are skipped."""
        stored = self._staging.store.subject_keys
        stored.update((k.customer_id, k) for k in keys if k.customer_id in stored)

    def count_by_kek_version(self) -> dict[int, int]:
        return dict(Counter(k.kek_version for k in self._staging.store.subject_keys.values()))


class MemoryIdentifierRepository(IdentifierCounts):
    """Fake of IdentifierRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def resolve(self, kind: IdentifierKind, lookups: Sequence[bytes]) -> dict[bytes, CustomerId]:
        wanted = set(lookups)
        return {
            i.lookup: i.customer_id
            for i in self._staging.store.identifiers.values()
            if i.kind == kind and i.lookup in wanted
        }

    def for_customer(self, customer_id: CustomerId) -> list[Identifier]:
        stored = self._staging.store.identifiers.values()
        return [i for i in stored if i.customer_id == customer_id]

    def add(self, identifiers: Sequence[Identifier]) -> None:
        stored = self._staging.store.identifiers
        keyed = [((i.kind, i.lookup, i.key_version), as_utc(i)) for i in identifiers]
        check_new(stored, (key for key, _ in keyed), "identifier")
        stored.update(keyed)

    def missing_version(
        self, key_version: int, *, limit: int, start: CustomerId | None = None
    ) -> list[Identifier]:
        """The newest row of each (customer, kind, ciphertext) with no row of ``key_version``."""
        check_limit(limit)
        groups: dict[tuple[CustomerId, str, bytes], list[Identifier]] = {}
        for i in self._staging.store.identifiers.values():
            if i.customer_id >= (start or ""):
                groups.setdefault((i.customer_id, i.kind, i.ciphertext), []).append(i)
        found: list[Identifier] = []
        for rows in groups.values():
            newest = max(i.key_version for i in rows)
            if all(i.key_version != key_version for i in rows):
                found.extend(i for i in rows if i.key_version == newest)
        found.sort(key=lambda i: (i.customer_id, i.kind, i.ciphertext, i.lookup))
        return found[:limit]

    def count_by_version(self) -> dict[int, int]:
        return dict(Counter(i.key_version for i in self._staging.store.identifiers.values()))

    def delete_version(self, key_version: int) -> int:
        stored = self._staging.store.identifiers
        doomed = [key for key, i in stored.items() if i.key_version == key_version]
        for key in doomed:
            del stored[key]
        return len(doomed)


class MemoryEventRepository(EventMoves):
    """Fake of EventRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def known_message_ids(self, source_id: str, message_ids: Sequence[str]) -> set[str]:
        wanted = set(message_ids)
        stored = self._staging.store.events.values()
        return {e.message_id for e in stored if e.source_id == source_id and e.message_id in wanted}

    def add(self, events: Sequence[Event]) -> None:
        stored = self._staging.store.events
        check_new(stored, (e.id for e in events), "event id")
        taken = {(e.source_id, e.message_id) for e in stored.values()}
        check_new(taken, ((e.source_id, e.message_id) for e in events), "message id")
        stored.update((e.id, as_utc(deepcopy(e))) for e in events)

    def count_for_customer(self, customer_id: CustomerId) -> int:
        return sum(1 for e in self._staging.store.events.values() if e.customer_id == customer_id)

    def page_for_customer(
        self, customer_id: CustomerId, *, after: str | None = None, limit: int = 1000
    ) -> list[Event]:
        check_limit(limit)
        mine = [
            e
            for e in self._staging.store.events.values()
            if e.customer_id == customer_id and (after is None or e.id > after)
        ]
        return [deepcopy(e) for e in sorted(mine, key=lambda e: e.id)[:limit]]

    def count_before(self, cutoff: datetime, *, keep: Sequence[CustomerId]) -> int:
        return len(_before(self._staging.store.events, cutoff, keep, lambda e: e.timestamp))

    def delete_before(self, cutoff: datetime, *, keep: Sequence[CustomerId], limit: int) -> int:
        check_limit(limit)
        doomed = _before(self._staging.store.events, cutoff, keep, lambda e: e.timestamp)[:limit]
        for event_id in doomed:
            del self._staging.store.events[event_id]
        return len(doomed)


class MemoryOrderRepository(OrderMoves):
    """Fake of OrderRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def known_external_ids(self, source_id: str, external_ids: Sequence[str]) -> set[str]:
        wanted = set(external_ids)
        stored = self._staging.store.orders.values()
        return {
            o.external_id for o in stored if o.source_id == source_id and o.external_id in wanted
        }

    def add(self, orders: Sequence[Order]) -> None:
        stored = self._staging.store.orders
        check_new(stored, (o.id for o in orders), "order id")
        taken = {(o.source_id, o.external_id) for o in stored.values()}
        check_new(taken, ((o.source_id, o.external_id) for o in orders), "external order id")
        stored.update((o.id, as_utc(o)) for o in orders)
        received = datetime.now(UTC)  # the SQL column's default: when the store took it in
        self._staging.store.order_received_at.update((o.id, received) for o in orders)

    def for_customer(self, customer_id: CustomerId) -> list[Order]:
        mine = [o for o in self._staging.store.orders.values() if o.customer_id == customer_id]
        return sorted(mine, key=lambda o: (o.ordered_at, o.id))

    def count_before(self, cutoff: datetime, *, keep: Sequence[CustomerId]) -> int:
        return len(_before(self._staging.store.orders, cutoff, keep, lambda o: o.ordered_at))

    def delete_before(self, cutoff: datetime, *, keep: Sequence[CustomerId], limit: int) -> int:
        check_limit(limit)
        doomed = _before(self._staging.store.orders, cutoff, keep, lambda o: o.ordered_at)[:limit]
        for order_id in doomed:
            del self._staging.store.orders[order_id]
        return len(doomed)


class MemoryConsentRepository(ConsentMoves):
    """Fake of ConsentRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, consents: Sequence[Consent]) -> None:
        self._staging.store.consents.extend(as_utc(c) for c in consents)

    def latest_for_customer(self, customer_id: CustomerId) -> dict[str, bool]:
        mine = [c for c in self._staging.store.consents if c.customer_id == customer_id]
        return {c.purpose: c.granted for c in sorted(mine, key=lambda c: c.recorded_at)}

    def history(self, customer_id: CustomerId) -> list[Consent]:
        mine = [c for c in self._staging.store.consents if c.customer_id == customer_id]
        return sorted(mine, key=lambda c: c.recorded_at)

    def granted_customers(self, purpose: str) -> list[CustomerId]:
        newest: dict[CustomerId, bool] = {}
        decisions = [c for c in self._staging.store.consents if c.purpose == purpose]
        for consent in sorted(decisions, key=lambda c: c.recorded_at):  # stable: ties keep order
            newest[consent.customer_id] = consent.granted
        return sorted(customer for customer, granted in newest.items() if granted)


class MemoryPrincipalRepository:
    """Fake of PrincipalRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, principal: Principal) -> None:
        stored = self._staging.store.principals
        check_new(stored, [principal.id], "principal id")
        check_new({p.name for p in stored.values()}, [principal.name], "principal name")
        stored[principal.id] = as_utc(principal)

    def by_name(self, name: str) -> Principal | None:
        return next((p for p in self._staging.store.principals.values() if p.name == name), None)


class MemoryApiTokenRepository:
    """Fake of ApiTokenRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, token: ApiToken) -> None:
        stored = self._staging.store.tokens
        check_new(stored, [token.id], "token id")
        check_new({t.token_hash for t in stored.values()}, [token.token_hash], "token")
        stored[token.id] = as_utc(token)

    def get(self, token_id: str) -> ApiToken | None:
        return self._staging.store.tokens.get(token_id)

    def by_hash(self, token_hash: bytes) -> tuple[ApiToken, Principal] | None:
        store = self._staging.store
        for token in store.tokens.values():
            if token.token_hash == token_hash and token.revoked_at is None:
                principal = store.principals.get(token.principal_id)
                if principal is not None and principal.disabled_at is None:
                    return token, principal
        return None

    def revoke(self, token_id: str, when: datetime) -> None:
        """Revoke the token at ``when``; revoking it again keeps the first time."""
        token = self.get(token_id)
        if token is None:
            raise NotFoundError(f"no API token {token_id!r}")
        if token.revoked_at is None:
            self._staging.store.tokens[token_id] = replace(token, revoked_at=ensure_utc(when))


class MemoryDataKeyRepository:
    """Fake of DataKeyRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def all(self) -> list[WrappedDataKey]:
        stored = self._staging.store.data_keys
        return [stored[key] for key in sorted(stored)]

    def add(self, keys: Sequence[WrappedDataKey]) -> None:
        stored = self._staging.store.data_keys
        check_new(stored, ((k.kind, k.version) for k in keys), "data key version")
        stored.update(((k.kind, k.version), as_utc(k)) for k in keys)

    def rewrap(self, keys: Sequence[WrappedDataKey]) -> None:
        """Replace each live version's wrapped form; a retired version stays gone."""
        stored = self._staging.store.data_keys
        for k in keys:
            current = stored.get((k.kind, k.version))
            if current is not None and current.retired_at is None:
                stored[(k.kind, k.version)] = replace(current, wrapped=k.wrapped)

    def retire(self, kind: str, version: int, when: datetime) -> None:
        """Retire the version at ``when``; retiring it again keeps the first time."""
        stored = self._staging.store.data_keys
        current = stored.get((kind, version))
        if current is None:
            raise NotFoundError(f"no {kind} key version {version}; the keyring lists the versions")
        if current.retired_at is None:
            stored[(kind, version)] = replace(current, wrapped=b"", retired_at=ensure_utc(when))


def _before(
    stored: Mapping[str, R],
    cutoff: datetime,
    keep: Sequence[CustomerId],
    when: Callable[[R], datetime],
) -> list[str]:
    """Ids of the records older than ``cutoff`` whose customer is not kept, in id order."""
    kept = set(keep)
    return sorted(
        key
        for key, record in stored.items()
        if when(record) < cutoff and getattr(record, "customer_id", None) not in kept
    )

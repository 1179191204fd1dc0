"""Identity resolution: the identifiers of a message map it to one customer.

userId, anonymousId and context.externalIds are identifiers with exact keyed lookups; an email or
phone is found through the shortened blind index of the profile field and confirmed by
decryption. Which customer a message belongs to, in order: the owner of its userId; else, for a
new userId, the first customer it matches that holds no userId yet (an anonymous visitor who
identifies keeps one profile); else the first customer it matches (externalIds, email, phone,
anonymousId, alias previousId); else a new customer. Every other customer the message matches is
then linked to it by the rules of ``linking`` (merge, or hold for review). Blocked values
(``guardrails``) are never looked up or stored. See docs/identity.md.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from strongroom.collect.guardrails import IdentityPolicy
from strongroom.collect.linking import Linker
from strongroom.collect.segment import SegmentMessage
from strongroom.core.identity import MergeMove, MoveCause, MoveKind, Provenance
from strongroom.core.models import (
    CustomerId,
    Event,
    Identifier,
    IdentifierKind,
    Order,
    Source,
    StoredCustomer,
    SubjectKey,
)
from strongroom.core.ports import UnitOfWork
from strongroom.vault.blindindex import normalise_identifier
from strongroom.vault.search import match_customers
from strongroom.vault.service import SubjectVault

IdentityKey = tuple[IdentifierKind, str]
CONTACT_FIELDS = ("email", "phone")
MAX_EXTERNAL_IDS = 20  # per message; more is not a person's ids
_EXTERNAL_TYPE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_MAX_ID_CHARS = 256


def identity_keys(message: SegmentMessage, policy: IdentityPolicy) -> list[IdentityKey]:
    """The usable identifiers a message carries, normalised: userId, externalIds, anonymousId."""
    keys: list[IdentityKey] = []
    if message.user_key and policy.usable(message.user_key):
        keys.append((IdentifierKind.USER_ID, normalise_identifier("user_id", message.user_key)))
    keys.extend(external_keys(message, policy))
    if message.anonymous_key and policy.usable(message.anonymous_key):
        value = normalise_identifier("anonymous_id", message.anonymous_key)
        keys.append((IdentifierKind.ANONYMOUS_ID, value))
    return [(kind, value) for kind, value in keys if len(value) <= _MAX_ID_CHARS]


def external_keys(message: SegmentMessage, policy: IdentityPolicy) -> list[IdentityKey]:
    """context.externalIds as ``external`` identifiers valued ``<type>:<id>``; bad ones skipped."""
    entries = message.context.get("externalIds")
    keys: list[IdentityKey] = []
    for entry in entries[:MAX_EXTERNAL_IDS] if isinstance(entries, list) else ():
        if not isinstance(entry, dict):
            continue
        kind, value = entry.get("type"), entry.get("id")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not (isinstance(kind, str) and isinstance(value, str)):
            continue
        kind, value = kind.strip().lower(), value.strip()
        if _EXTERNAL_TYPE.match(kind) and policy.usable(value):
            keys.append((IdentifierKind.EXTERNAL, f"{kind}:{value}"))
    return keys


def contact_of(message: SegmentMessage, field: str, policy: IdentityPolicy) -> str | None:
    """The normalised email or phone an identify call carries, if usable for linking."""
    value = message.traits.get(field) if message.type == "identify" else None
    if not isinstance(value, str) or (field == "email" and "@" not in value):
        return None
    normalised = normalise_identifier(field, value)
    return normalised if normalised and policy.usable(normalised) else None


def previous_keys(message: SegmentMessage, policy: IdentityPolicy) -> list[IdentityKey]:
    """An alias call's previousId, as the userId or anonymousId it may be."""
    previous = message.previous_key if message.type == "alias" else None
    if not previous or not policy.usable(previous) or len(previous) > _MAX_ID_CHARS:
        return []
    return [(IdentifierKind.USER_ID, previous), (IdentifierKind.ANONYMOUS_ID, previous)]


class IdentityResolver:
    """Resolves the messages of one batch inside its unit of work."""

    def __init__(
        self,
        uow: UnitOfWork,
        vault: SubjectVault,
        now: datetime,
        *,
        policy: IdentityPolicy | None = None,
        source: Source | None = None,
    ) -> None:
        self._uow, self._vault, self._now = uow, vault, now
        self._policy = policy or IdentityPolicy()
        self._source = source
        self._known: dict[IdentityKey, CustomerId] = {}
        self._contacts: dict[tuple[str, str], CustomerId] = {}
        self._keys: dict[CustomerId, bytes] = {}
        self.links = Linker(uow, self._policy, now)
        self.new_customers: dict[CustomerId, StoredCustomer] = {}
        self.new_subject_keys: list[SubjectKey] = []
        self.new_identifiers: list[Identifier] = []
        self.skipped_identifiers = 0  # over a per-type limit: not stored, not linked

    def preload(self, messages: Sequence[SegmentMessage]) -> None:
        """Look every identifier, email and phone of the batch up at once; lock their owners."""
        policy = self._policy
        keys = [k for m in messages for k in (*identity_keys(m, policy), *previous_keys(m, policy))]
        self._preload_identifiers(keys)
        for field in CONTACT_FIELDS:
            values = {value for m in messages if (value := contact_of(m, field, policy))}
            for value, found in match_customers(self._uow, self._vault, field, values).items():
                if len(found) == 1:  # two profiles with one value: not ours to pick between
                    self._contacts[(field, value)] = found[0]
        loaded = self.links.load(sorted({*self._known.values(), *self._contacts.values()}))
        for customer_id, wrapped in self._uow.subject_keys.get_many(sorted(loaded)).items():
            self._keys[customer_id] = self._vault.open_subject_key(wrapped)

    def resolve(self, message: SegmentMessage) -> CustomerId:
        """The customer this message entered by (see ``owners``), creating one if none is known."""
        keys = identity_keys(message, self._policy)
        found = self._matches(message, keys)
        entry = self._entry(keys, found)
        root = self.links.root(entry)
        for key in keys:
            if key not in self._known:
                self._attach(entry, root, key)
        previous = previous_keys(message, self._policy)
        if previous and not any(key in self._known for key in previous):
            self._attach(entry, root, previous[-1])  # an unknown previousId: an anonymousId
        for rule, other in found:
            if (other_root := self.links.root(other)) != root:
                root = self.links.link(root, other_root, self._provenance(message, rule))
        for field in CONTACT_FIELDS:
            if (value := contact_of(message, field, self._policy)) is not None:
                self._contacts.setdefault((field, value), entry)
        return entry

    def owners(self, entries: Sequence[CustomerId]) -> list[CustomerId]:
        """The customer each message belongs to after the batch's merges: its entry's root."""
        return [self.links.root(entry) for entry in entries]

    def flush(self) -> None:
        """Store the batch's merges and reviews (after its customers and identifiers)."""
        self.links.flush()

    def routed_moves(
        self,
        entries: Sequence[CustomerId],
        events: Sequence[Event],
        orders: Sequence[Order],
        order_ids: Sequence[str | None],
    ) -> list[MergeMove]:
        """Rows stored through a merged-away customer's ids, for each merge they passed through.

        ``events`` and ``order_ids`` (the external order id of each message, if any) run
        parallel to ``entries``; undoing one of those merges sends these rows back with it.
        """
        paths = [[merge.id for merge in self.links.path(entry)] for entry in entries]
        by_order = {oid: path for oid, path in zip(order_ids, paths, strict=True) if oid}
        moves = [
            MergeMove(merge_id, MoveKind.EVENT, event.id, MoveCause.ROUTED)
            for path, event in zip(paths, events, strict=True)
            for merge_id in path
        ]
        moves += [
            MergeMove(merge_id, MoveKind.ORDER, order.id, MoveCause.ROUTED)
            for order in orders
            for merge_id in by_order.get(order.external_id, ())
        ]
        return moves

    def subject_key(self, customer_id: CustomerId) -> bytes:
        return self._keys[customer_id]

    def _matches(
        self, message: SegmentMessage, keys: Sequence[IdentityKey]
    ) -> list[tuple[str, CustomerId]]:
        """Customers the message's known ids point at, strongest first, as (rule, customer).

        userId and externalIds, then email and phone, then anonymousId, then alias previousId.
        """
        rule = message.type
        known = [
            (f"{rule}.{kind.value}", self._known[(kind, v)], kind)
            for kind, v in keys
            if (kind, v) in self._known
        ]
        found = [(r, c) for r, c, kind in known if kind is not IdentifierKind.ANONYMOUS_ID]
        for field in CONTACT_FIELDS:
            value = contact_of(message, field, self._policy)
            if value is not None and (field, value) in self._contacts:
                found.append((f"{rule}.{field}", self._contacts[(field, value)]))
        found += [(r, c) for r, c, kind in known if kind is IdentifierKind.ANONYMOUS_ID]
        for key in previous_keys(message, self._policy):
            if key in self._known:
                found.append(("alias.previous_id", self._known[key]))
        return found

    def _entry(
        self, keys: Sequence[IdentityKey], found: list[tuple[str, CustomerId]]
    ) -> CustomerId:
        user = next((key for key in keys if key[0] is IdentifierKind.USER_ID), None)
        if user is not None and user in self._known:
            return self._known[user]
        if user is not None:  # a new userId joins the first match that may take one
            kind = IdentifierKind.USER_ID.value
            takers = (c for _, c in found if self.links.can_take(self.links.root(c), kind))
            return next(takers, None) or self._create_customer()
        return found[0][1] if found else self._create_customer()

    def _attach(self, entry: CustomerId, root: CustomerId, key: IdentityKey) -> None:
        kind = key[0].value
        if not self.links.can_take(root, kind):
            self.skipped_identifiers += 1
            return
        self._add_identifier(entry, key)
        self.links.took(root, kind)

    def _provenance(self, message: SegmentMessage, rule: str) -> Provenance:
        source = self._source
        actor = f"source:{source.name}" if source else "ingest"
        return Provenance(rule, actor, source.id if source else None, message.message_id)

    def _preload_identifiers(self, keys: Iterable[IdentityKey]) -> None:
        by_kind: dict[IdentifierKind, dict[bytes, IdentityKey]] = {}
        for key in set(keys):
            kind, value = key
            for _, lookup in self._vault.lookup_values(kind.value, value):
                by_kind.setdefault(kind, {})[lookup] = key
        for kind, lookups in by_kind.items():
            for lookup, customer_id in self._uow.identifiers.resolve(kind, list(lookups)).items():
                self._known[lookups[lookup]] = customer_id

    def _create_customer(self) -> CustomerId:
        customer_id = CustomerId(str(uuid.uuid4()))
        plain, wrapped = self._vault.new_subject_key(customer_id)
        self._keys[customer_id] = plain
        self.new_subject_keys.append(wrapped)
        self.new_customers[customer_id] = StoredCustomer(customer_id, self._now, self._now)
        self.links.add_new(customer_id)
        return customer_id

    def _add_identifier(self, customer_id: CustomerId, key: IdentityKey) -> None:
        kind, value = key
        version, lookup = self._vault.index_value(kind.value, value)
        ciphertext = self._vault.encrypt(
            self._keys[customer_id],
            customer_id=customer_id,
            field=f"identifier:{kind.value}",
            value=value,
        )
        self.new_identifiers.append(
            Identifier(customer_id, kind, version, lookup, ciphertext, self._now)
        )
        self._known[key] = customer_id

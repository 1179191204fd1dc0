"""Crypto-shredding: erase a customer by destroying their data key, inside the caller's transaction.

Every ciphertext of a customer is sealed under their own data key (the subject key), and the only
copy of that key is its wrapped form in the store. Deleting it makes each of those ciphertexts
unreadable for good, wherever they were copied: the store, the lake, the warehouse, backups taken
before. Their identifier rows and blind indexes go too, since those lookup values would still link
new data to them. The ciphertext rows and the non-identifying events and orders stay as they are.

What remains is a record under the customer's pseudonym (never their id) and a signed receipt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from strongroom.core.erasures import Erasure, ShreddedData
from strongroom.core.errors import ConflictError, NotFoundError, VaultError
from strongroom.core.identity import cluster_of, root_of
from strongroom.core.models import Actor, CustomerId
from strongroom.core.ports import AuditTrail, UnitOfWork
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.keyring import KeyKind
from strongroom.vault.pseudonyms import Pseudonymizer, pseudonym_key_version
from strongroom.vault.receipts import ErasureReceipt, SigningKeys, sign_receipt
from strongroom.vault.service import SUBJECT_KEY_VERSION

# The classes of data a destroyed subject key made unreadable (what is encrypted under it).
SHREDDED_DATA_CLASSES = ("pii", "unclassified")
_SCAN_BATCH = 1000


@dataclass(frozen=True, slots=True)
class ReapplyReport:
    """What re-applying a ledger of erasures did to a restored database."""

    receipts: int  # distinct erasures in the ledgers
    reapplied: int  # customers whose keys the restored database still held, now destroyed
    already_erased: int  # customers the restored database had already lost, or never held


@dataclass(frozen=True, slots=True)
class Shredder:
    """Destroys customers' keys and lookups, records the erasure, signs the receipt."""

    keys: SigningKeys
    audit: AuditTrail

    def erase(
        self,
        uow: UnitOfWork,
        *,
        actor: Actor,
        customer_id: CustomerId,
        reason: str,
        purpose: str,
        now: datetime,
    ) -> ErasureReceipt:
        """Shred one customer in ``uow`` (the caller commits); refuses unknown or erased ones."""
        if customer_id not in uow.customers.get_many([customer_id]):
            raise NotFoundError(f"no customer with id {customer_id!r}; nothing was erased")
        shredded = uow.erasures.shred(customer_id)
        if not shredded.subject_keys:
            raise ConflictError(
                f"customer {customer_id} was erased already: they have no data key left; "
                "nothing was changed (their receipt is in the erasures ledger)"
            )
        receipt = sign_receipt(
            self.keys,
            customer_pseudonym=Pseudonymizer(self.keys).pseudonym(customer_id),
            erased_at=now,
            actor=actor.label,
            reason=reason,
            key_versions_destroyed=key_versions(shredded),
        )
        uow.erasures.add(erasure_record(receipt, recorded_at=now))
        draft = _draft(AuditAction.CUSTOMER_ERASED, customer_id, receipt, shredded)
        recorded = replace(draft, actor=actor.label, purpose=purpose, origin=actor.origin)
        self.audit.record(uow, [recorded])
        return receipt

    def erase_person(
        self,
        uow: UnitOfWork,
        *,
        actor: Actor,
        customer_id: CustomerId,
        reason: str,
        purpose: str,
        now: datetime,
    ) -> list[ErasureReceipt]:
        """Shred the customer and every customer merged with them; one receipt each, theirs first.

        A merge leaves the merged-away customer's identifiers and profile under its own key, so
        the person's data is under every key of the merged cluster (docs/identity.md).
        """
        receipts = [
            self.erase(
                uow, actor=actor, customer_id=customer_id, reason=reason, purpose=purpose, now=now
            )
        ]
        path = root_of(uow.merges, customer_id)
        linked = cluster_of(uow.merges, path[-1].target_id if path else customer_id)
        keyed = uow.subject_keys.get_many([c for c in linked if c != customer_id])
        for member in (c for c in linked if c in keyed):
            receipts.append(
                self.erase(
                    uow, actor=actor, customer_id=member, reason=reason, purpose=purpose, now=now
                )
            )
        return receipts

    def erase_many(
        self,
        uow: UnitOfWork,
        *,
        actor: Actor,
        customer_ids: Sequence[CustomerId],
        reason: str,
        purpose: str,
        now: datetime,
    ) -> list[ErasureReceipt]:
        """``erase_person`` for many customers, with a few statements for all of them.

        The caller has checked that each one exists and still has a key. Merged customers are
        erased with them (once, even when two of the given customers share a cluster).
        """
        members: dict[CustomerId, None] = dict.fromkeys(customer_ids)
        # Two queries tell who is in a merge at all; only those walk their cluster.
        merged = set(uow.merges.targets(list(customer_ids)))
        merged |= {m.target_id for m in uow.merges.merged_into(list(customer_ids))}
        for customer_id in (cid for cid in customer_ids if cid in merged):
            path = root_of(uow.merges, customer_id)
            root = path[-1].target_id if path else customer_id
            members.update(dict.fromkeys(cluster_of(uow.merges, root)))
        keyed = uow.subject_keys.get_many(list(members))
        shredded = uow.erasures.shred_many([cid for cid in members if cid in keyed])
        namer = Pseudonymizer(self.keys)
        receipts: list[ErasureReceipt] = []
        drafts: list[AuditDraft] = []
        for customer_id, data in shredded.items():
            if not data.subject_keys:
                continue  # erased meanwhile by another transaction: it has its receipt
            receipt = sign_receipt(
                self.keys,
                customer_pseudonym=namer.pseudonym(customer_id),
                erased_at=now,
                actor=actor.label,
                reason=reason,
                key_versions_destroyed=key_versions(data),
            )
            receipts.append(receipt)
            draft = _draft(AuditAction.CUSTOMER_ERASED, customer_id, receipt, data)
            drafts.append(replace(draft, purpose=purpose, origin=actor.origin))
        uow.erasures.add_many([erasure_record(r, recorded_at=now) for r in receipts])
        self.audit.record(uow, drafts)
        return receipts

    def reapply(
        self,
        uow: UnitOfWork,
        receipts: Sequence[ErasureReceipt],
        *,
        actor: Actor,
        now: datetime,
    ) -> ReapplyReport:
        """Shred again every customer of ``receipts`` who still has a key (after a restore)."""
        wanted = {receipt.customer_pseudonym: receipt for receipt in receipts}
        recorded = {erasure.pseudonym for erasure in uow.erasures.find(list(wanted))}
        matched = self._match(uow, wanted)
        drafts = []
        for customer_id, receipt in matched.items():
            shredded = uow.erasures.shred(customer_id)
            if receipt.customer_pseudonym not in recorded:
                uow.erasures.add(erasure_record(receipt, recorded_at=now))
            draft = _draft(AuditAction.ERASURE_REAPPLIED, customer_id, receipt, shredded)
            purpose = "administration"
            drafts.append(replace(draft, actor=actor.label, purpose=purpose, origin=actor.origin))
        self.audit.record(uow, drafts)
        return ReapplyReport(len(wanted), len(matched), len(wanted) - len(matched))

    def _match(
        self, uow: UnitOfWork, wanted: dict[str, ErasureReceipt]
    ) -> dict[CustomerId, ErasureReceipt]:
        """The keyed customers whose pseudonym (under any version the receipts use) is wanted."""
        versions = sorted({pseudonym_key_version(pseudonym) for pseudonym in wanted})
        held = set(self.keys.versions(KeyKind.PSEUDONYM))
        if missing := [v for v in versions if v not in held]:
            raise VaultError(
                f"the erasure receipts name pseudonym key versions {missing} this keyring does "
                "not hold: they were made by another data home; nothing was changed"
            )
        pseudonyms = Pseudonymizer(self.keys)
        matched: dict[CustomerId, ErasureReceipt] = {}
        for customer_id in _keyed_customers(uow) if wanted else ():
            for version in versions:
                receipt = wanted.get(pseudonyms.pseudonym_at(customer_id, version))
                if receipt is not None:
                    matched[customer_id] = receipt
        return matched


def key_versions(shredded: ShreddedData) -> dict[str, int]:
    """The receipt's ``key_versions_destroyed``: the subject key's and its wrapping KEK's."""
    kek_version = max(key.kek_version for key in shredded.subject_keys)
    return {"subject_key": SUBJECT_KEY_VERSION, "wrapped_by_field_kek": kek_version}


def erasure_record(receipt: ErasureReceipt, *, recorded_at: datetime) -> Erasure:
    """The stored record of the erasure a receipt attests."""
    return Erasure(
        pseudonym=receipt.customer_pseudonym,
        erased_at=receipt.erased_at,
        actor=receipt.actor,
        key_versions=dict(receipt.key_versions_destroyed),
        receipt=receipt.to_json(),
        recorded_at=recorded_at,
    )


def _keyed_customers(uow: UnitOfWork) -> Iterable[CustomerId]:
    after: CustomerId | None = None
    while batch := uow.erasures.keyed_customers(after=after, limit=_SCAN_BATCH):
        yield from batch
        after = batch[-1]


def _draft(
    action: AuditAction, customer_id: CustomerId, receipt: ErasureReceipt, shredded: ShreddedData
) -> AuditDraft:
    # The reason stays out of the audit log: it is free text, and the log can never be erased.
    return AuditDraft(
        actor=receipt.actor,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(customer_id,),
        data_classes=SHREDDED_DATA_CLASSES,
        detail={
            "pseudonym": receipt.customer_pseudonym,
            "subject_keys": len(shredded.subject_keys),
            "identifiers": shredded.identifiers,
            "blind_indexes": shredded.blind_indexes,
        },
    )

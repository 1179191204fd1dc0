"""Verifying the audit log: the chain, the Merkle tree, and the signed checkpoints.

One pass over the entries recomputes every chain hash and leaf hash, and the Merkle root at the
size of every checkpoint, stored or exported. A checkpoint exported outside the database is what
catches an attacker who rewrote the entries, their hashes and the head all alike, or deleted the
newest entries and moved the head back: its signed root no longer matches, or it covers entries
that are gone. Nothing is repaired: the first problem found is raised, naming the entry or file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from strongroom.audit.chain import ChainChecker
from strongroom.audit.checkpoints import SignedCheckpoint, checkpoint_problem, parse_checkpoint
from strongroom.audit.merkle import Frontier
from strongroom.core.errors import AuditIntegrityError, InvalidInputError
from strongroom.core.ports import CheckpointArchive, UnitOfWorkFactory
from strongroom.core.trail import AuditCheckpoint, AuditEntry
from strongroom.vault.receipts import SigningKeys, audit_signing_public_keys


@dataclass(frozen=True, slots=True)
class VerificationReport:
    entries_checked: int
    head_seq: int
    head_hash_hex: str
    root_hash_hex: str = ""
    stored_checkpoints: int = 0  # checkpoints in the database, each matched
    exported_checkpoints: int = 0  # checkpoints read back from the directory sink, each matched
    latest_exported: str | None = None  # the newest of them, and its tree size
    latest_exported_size: int = 0
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Claim:
    """A signed checkpoint the log must agree with, and how to name it in a message."""

    label: str
    location: str
    checkpoint: SignedCheckpoint


def verify_audit_log(
    *,
    uow_factory: UnitOfWorkFactory,
    keys: SigningKeys | None = None,
    archive: CheckpointArchive | None = None,
) -> VerificationReport:
    """Recompute chain and tree and check every checkpoint; raise AuditIntegrityError at fault."""
    trusted = audit_signing_public_keys(keys) if keys is not None else None
    exported = _exported_claims(archive, trusted) if archive is not None else []
    with uow_factory() as uow:
        head = uow.audit.head()
        stored = uow.audit.checkpoints()
        claims = [*_stored_claims(stored, trusted), *exported]
        # Entries appended while we read lie beyond the head we took; the next run checks them.
        checker, frontier = _walk(uow.audit.scan(), head.seq, claims)
    checker.check_head(head)
    _check_not_truncated(claims, checker.last_seq)
    latest = max(exported, key=lambda claim: claim.checkpoint.tree_size, default=None)
    return VerificationReport(
        entries_checked=checker.last_seq,
        head_seq=head.seq,
        head_hash_hex=head.entry_hash.hex(),
        root_hash_hex=frontier.root().hex(),
        stored_checkpoints=len(stored),
        exported_checkpoints=len(exported),
        latest_exported=latest.location if latest else None,
        latest_exported_size=latest.checkpoint.tree_size if latest else 0,
        warnings=_warnings(archive, exported, stored, checker.last_seq),
    )


def _walk(
    entries: Iterable[AuditEntry], last_seq: int, claims: Sequence[_Claim]
) -> tuple[ChainChecker, Frontier]:
    """Check each entry up to ``last_seq`` and every claim at its tree size, in one pass."""
    by_size: dict[int, list[_Claim]] = defaultdict(list)
    for claim in claims:
        by_size[claim.checkpoint.tree_size].append(claim)
    checker, frontier, matched = ChainChecker(), Frontier(), 0
    for entry in entries:
        if entry.seq > last_seq:
            break
        frontier.append(checker.check(entry))
        for claim in by_size.get(frontier.size, ()):
            if claim.checkpoint.root_hash != frontier.root():
                raise _rewritten(claim, matched)
            matched = frontier.size
    return checker, frontier


def _rewritten(claim: _Claim, matched: int) -> AuditIntegrityError:
    size = claim.checkpoint.tree_size
    where = (
        f"entries 1 to {matched} still match an earlier checkpoint, so the change lies in "
        f"entries {matched + 1} to {size}"
        if matched
        else f"the change lies in entries 1 to {size}"
    )
    return AuditIntegrityError(
        f"the audit log does not match {claim.label}: the Merkle root of its first {size} "
        f"entries differs from the signed one, so entries were changed, inserted, deleted or "
        f"reordered and their hashes recomputed; {where}",
        checkpoint=claim.location,
    )


def _check_not_truncated(claims: Sequence[_Claim], size: int) -> None:
    beyond = [claim for claim in claims if claim.checkpoint.tree_size > size]
    if not beyond:
        return
    # Name the largest; of equal sizes, an exported file (listed last) over the database row.
    claim = max(reversed(beyond), key=lambda claim: claim.checkpoint.tree_size)
    covered = claim.checkpoint.tree_size
    deleted = (
        f"entry {covered} was" if covered == size + 1 else f"entries {size + 1} to {covered} were"
    )
    raise AuditIntegrityError(
        f"the audit log holds {size} entries but {claim.label} covers {covered}: {deleted} "
        "deleted (the newest entries, with the head moved back)",
        seq=size + 1,
        checkpoint=claim.location,
    )


def _exported_claims(
    archive: CheckpointArchive, trusted: Mapping[int, bytes] | None
) -> list[_Claim]:
    claims = []
    for location, text in archive.exported():
        label = f"checkpoint file {location}"
        try:
            checkpoint = parse_checkpoint(text)
        except InvalidInputError as error:
            message = f"{label} is damaged: {error.message}"
            raise AuditIntegrityError(message, checkpoint=location) from None
        if problem := checkpoint_problem(checkpoint, trusted_keys=trusted):
            raise AuditIntegrityError(f"{label} cannot be trusted: {problem}", checkpoint=location)
        claims.append(_Claim(label, location, checkpoint))
    return claims


def _stored_claims(
    stored: Sequence[AuditCheckpoint], trusted: Mapping[int, bytes] | None
) -> list[_Claim]:
    claims = []
    for row in stored:
        location = f"database checkpoint {row.tree_size}"
        label = f"the checkpoint of tree size {row.tree_size} stored in the database"
        try:
            checkpoint = parse_checkpoint(row.document)
        except InvalidInputError as error:
            message = f"{label} is damaged: {error.message}"
            raise AuditIntegrityError(message, checkpoint=location) from None
        problem: str | None
        if (checkpoint.tree_size, checkpoint.root_hash) != (row.tree_size, row.root_hash):
            problem = "its columns no longer say what its signed document says"
        else:
            problem = checkpoint_problem(checkpoint, trusted_keys=trusted)
        if problem:
            raise AuditIntegrityError(f"{label} cannot be trusted: {problem}", checkpoint=location)
        claims.append(_Claim(label, location, checkpoint))
    return claims


def _warnings(
    archive: CheckpointArchive | None,
    exported: Sequence[_Claim],
    stored: Sequence[AuditCheckpoint],
    size: int,
) -> tuple[str, ...]:
    found: list[str] = []
    if archive is None:
        found.append(
            "no checkpoint directory is configured (STRONGROOM_AUDIT_CHECKPOINT_SINKS has no "
            "`dir`): a deletion of the newest entries that also moves the head back is only "
            "caught by the checkpoints in the database, which the same attacker can delete"
        )
    elif size and not exported:
        found.append(
            f"no exported checkpoint in {archive.location} yet: run `strongroom audit checkpoint`"
        )
    covered = max((claim.checkpoint.tree_size for claim in exported), default=0)
    if archive is not None and exported and covered < size:
        found.append(
            f"entries {covered + 1} to {size} are newer than the last exported checkpoint: "
            "they are chained, but a deletion of them would not be noticed until the next one"
        )
    found.extend(_export_failures(stored))
    return tuple(found)


def _export_failures(stored: Sequence[AuditCheckpoint]) -> list[str]:
    failures: dict[str, list[AuditCheckpoint]] = defaultdict(list)
    for row in stored:
        for sink in row.export_errors:
            failures[sink].append(row)
    found = []
    for sink, rows in sorted(failures.items()):
        last = rows[-1]
        found.append(
            f"{len(rows)} checkpoint(s) were not exported to {sink}; the latest, of tree size "
            f"{last.tree_size}: {last.export_errors[sink]}"
        )
    return found

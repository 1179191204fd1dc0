"""Exporting audit entries for a SIEM: JSON lines, or ArcSight CEF.

A JSON line is the entry's canonical form plus its leaf hash, so a SIEM can recompute the leaf
hash of what it received (drop ``leaf_hash``, serialise with sorted keys and no spaces). A CEF
line carries the same facts in CEF's own fields, escaped as the CEF specification says.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from strongroom.audit.chain import canonical_document
from strongroom.core.clock import ensure_utc
from strongroom.core.models import Actor
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, AuditEntry, Outcome

# Acts that reveal, destroy or move data in bulk: worth a SIEM analyst's look even when allowed.
_SENSITIVE = frozenset(
    {
        AuditAction.CARD_DETOKENIZED,
        AuditAction.CUSTOMERS_EXPORTED,
        AuditAction.DSAR_EXPORTED,
        AuditAction.CUSTOMER_ERASED,
        AuditAction.BACKUP_CREATED,
        AuditAction.BACKUP_RESTORED,
        AuditAction.KEY_VERSION_RETIRED,
        AuditAction.ROOT_KEY_ROTATED,
        AuditAction.AUDIT_EXPORTED,
    }
)
_SEVERITY = {Outcome.SUCCESS: 3, Outcome.FAILED: 5, Outcome.DENIED: 6}


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CEF = "cef"


@dataclass(frozen=True, slots=True)
class ExportReport:
    entries: int  # how many entries were written
    through_seq: int  # the newest entry the export could include


def jsonl_line(entry: AuditEntry) -> str:
    """The canonical entry and its leaf hash, as one line of JSON."""
    document = canonical_document(entry.seq, entry.occurred_at, entry.draft)
    document["leaf_hash"] = entry.leaf_hash.hex()
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def cef_line(entry: AuditEntry, *, product_version: str) -> str:
    """The entry as one CEF:0 event."""
    draft = entry.draft
    severity = _SEVERITY[draft.outcome]
    if draft.action in _SENSITIVE:
        severity = max(severity, 5)
    header = [
        "CEF:0",
        "Strongroom",
        "Strongroom",
        product_version,
        draft.action.stored_name,
        draft.action.description,
        str(severity),
    ]
    fields = _cef_fields(entry)
    extension = " ".join(f"{key}={cef_extension_escape(value)}" for key, value in fields if value)
    return "|".join(cef_header_escape(part) for part in header) + "|" + extension


def _cef_fields(entry: AuditEntry) -> list[tuple[str, str]]:
    draft, origin = entry.draft, entry.draft.origin
    ip = origin.ip if origin is not None else None
    return [
        ("rt", str(int(ensure_utc(entry.occurred_at).timestamp() * 1000))),
        ("externalId", str(entry.seq)),
        ("suser", draft.actor),
        ("src", ip if ip and _is_ip(ip) else ""),
        ("act", draft.action.stored_name),
        ("outcome", draft.outcome.value),
        ("cs1Label", "purpose" if draft.purpose else ""),
        ("cs1", draft.purpose or ""),
        ("cs2Label", "resourceType"),
        ("cs2", draft.resource_type),
        ("cs3Label", "resourceIds" if draft.resource_ids else ""),
        ("cs3", ",".join(draft.resource_ids)),
        ("cs4Label", "dataClasses" if draft.data_classes else ""),
        ("cs4", ",".join(draft.data_classes)),
        ("cs5Label", "requestId" if origin is not None and origin.request_id else ""),
        ("cs5", (origin.request_id if origin is not None else None) or ""),
        ("requestClientApplication", (origin.user_agent if origin is not None else None) or ""),
        ("cs6Label", "leafHash"),
        ("cs6", entry.leaf_hash.hex()),
    ]


def cef_header_escape(value: str) -> str:
    """A CEF header field: backslash and pipe escaped; no line breaks (CEF allows none there)."""
    escaped = value.replace("\\", "\\\\").replace("|", "\\|")
    return escaped.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def cef_extension_escape(value: str) -> str:
    """A CEF extension value: backslash and equals escaped, line breaks as \\n and \\r."""
    escaped = value.replace("\\", "\\\\").replace("=", "\\=")
    return escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def export_entries(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    actor: Actor,
    since: datetime,
    export_format: ExportFormat,
    write: Callable[[str], object],
    product_version: str,
    reader: UnitOfWorkFactory | None = None,
) -> ExportReport:
    """Write every entry from ``since`` on, one line each; the export is audited first.

    ``reader``: read-only units of work for the long read (default ``uow_factory``).
    """
    since = ensure_utc(since)
    with uow_factory() as uow:
        through = uow.audit.lock_head().seq
        audit.record(uow, [_exported(actor, since, export_format, through)])
        uow.commit()
    count = 0
    with (reader or uow_factory)() as uow:
        for entry in uow.audit.scan():
            if entry.seq > through:
                break
            if entry.occurred_at >= since:
                if export_format is ExportFormat.CEF:
                    write(cef_line(entry, product_version=product_version))
                else:
                    write(jsonl_line(entry))
                count += 1
    return ExportReport(count, through)


def _exported(
    actor: Actor, since: datetime, export_format: ExportFormat, through: int
) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.AUDIT_EXPORTED,
        outcome=Outcome.SUCCESS,
        resource_type="audit_log",
        purpose="administration",
        detail={
            "format": export_format.value,
            "since": since.isoformat(),
            "through_seq": through,
        },
        origin=actor.origin,
    )

"""A blast radius as JSON and CSV: counts, the exemption, and each customer with its evidence.

No personal data: customers appear by id only, places only as counts.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from strongroom.respond.blast_radius import BlastRadius

CSV_COLUMNS = (
    "customer_id",
    "access",
    "data_classes",
    "fields",
    "plaintext_exposed",
    "audit_seqs",
    "proven",
)


def as_json(radius: BlastRadius) -> dict[str, Any]:
    scope = radius.scope
    checkpoint = radius.checkpoint
    return {
        "scope": {
            "principals": list(scope.principals),
            "start": scope.start.isoformat(),
            "end": scope.end.isoformat(),
            "keys_exposed": scope.keys_exposed,
        },
        "entries_scanned": radius.entries_scanned,
        "matched_entries": radius.matched_entries,
        "customers_touched": len(radius.customers),
        "by_access": radius.by_access,
        "data_classes": list(radius.data_classes),
        "fields": list(radius.fields),
        "by_country": radius.by_country,
        "by_us_state": radius.by_us_state,
        "bulk_exports": [
            {"seq": seq, "action": action, "ciphertext_only": ciphertext}
            for seq, action, ciphertext in radius.bulk_exports
        ],
        "encryption_exemption": {
            "applies": radius.exemption.applies,
            "keys_exposed": radius.exemption.keys_exposed,
            "plaintext_customers": radius.exemption.plaintext_customers,
            "key_custody_seqs": list(radius.exemption.key_custody_seqs),
            "reason": radius.exemption.reason,
        },
        "checkpoint": None if checkpoint is None else _checkpoint(radius),
        "customers": [
            {
                "customer_id": c.customer_id,
                "access": list(c.access),
                "data_classes": list(c.data_classes),
                "fields": list(c.fields),
                "plaintext_exposed": c.plaintext_exposed,
                "audit_seqs": list(c.seqs),
            }
            for c in radius.customers
        ],
        "proofs": {str(seq): proof.as_dict() for seq, proof in sorted(radius.proofs.items())},
        "unproven_seqs": list(radius.unproven_seqs),
    }


def _checkpoint(radius: BlastRadius) -> dict[str, Any]:
    checkpoint = radius.checkpoint
    assert checkpoint is not None
    return {
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash.hex(),
        "document": checkpoint.document,
    }


def as_csv(radius: BlastRadius) -> str:
    """One row per touched customer; lists inside a cell are separated by spaces."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in radius.customers:
        proven = all(seq in radius.proofs for seq in c.seqs)
        writer.writerow(
            [
                c.customer_id,
                " ".join(c.access),
                " ".join(c.data_classes),
                " ".join(c.fields),
                "yes" if c.plaintext_exposed else "no",
                " ".join(str(seq) for seq in c.seqs),
                "yes" if proven else "no",
            ]
        )
    return out.getvalue()

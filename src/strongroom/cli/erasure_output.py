"""How the erasure commands (``customers erase``, ``privacy erase``) hand out the signed receipt:
printed, as JSON, and optionally written to a new file."""

from __future__ import annotations

from pathlib import Path

from strongroom.cli.output import console, emit_json
from strongroom.core.errors import ConflictError
from strongroom.vault.receipts import ErasureReceipt


def refuse_existing_receipt_file(out: Path | None) -> None:
    """Checked before erasing: a receipt never overwrites a file, and none goes unwritten."""
    if out is not None and out.exists():
        raise ConflictError(f"{out} exists already: choose another --out file")


def hand_out_receipt(
    customer_id: str, receipt: ErasureReceipt, *, out: Path | None, as_json: bool
) -> None:
    """Write the receipt to ``out`` (a new file) if given, then print it."""
    if out is not None:
        with out.open("x", encoding="utf-8") as file:
            file.write(receipt.to_json() + "\n")
    if as_json:
        emit_json(receipt.as_dict())
        return
    versions = ", ".join(
        f"{kind} v{version}" for kind, version in receipt.key_versions_destroyed.items()
    )
    console.print(f"[green]Erased[/] customer {customer_id} as {receipt.customer_pseudonym}")
    console.print(f"  destroyed: {versions}")
    console.print(f"  signed with audit-signing key v{receipt.signing_key_version}")
    if out is not None:
        console.print(f"  receipt written to {out}; check it with `strongroom keys verify-receipt`")
    else:
        console.print("  receipt (keep it; check it with `strongroom keys verify-receipt FILE`):")
        console.print(receipt.to_json(), markup=False)

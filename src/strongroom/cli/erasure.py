"""``strongroom customers erase``: crypto-shred a customer and hand out the signed receipt."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from strongroom.access.tokens import authenticate_token
from strongroom.cli.context import current_settings, open_app
from strongroom.cli.customers import customers_app
from strongroom.cli.output import console, emit_json
from strongroom.core.errors import ConflictError
from strongroom.core.models import CustomerId
from strongroom.vault.receipts import ErasureReceipt


@customers_app.command("erase")
def customers_erase(
    customer_id: Annotated[str, typer.Argument(help="The customer's id")],
    reason: Annotated[
        str, typer.Option(help="Why, e.g. a data-subject request reference; no personal data")
    ],
    token: Annotated[
        str | None,
        typer.Option(help="Staff API token; default STRONGROOM_TOKEN", show_default=False),
    ] = None,
    purpose: Annotated[str | None, typer.Option(help="Why you act; default: your role's")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Also write the signed receipt to this new file")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the receipt as JSON.")] = False,
) -> None:
    """Erase a customer for good: destroy their data key and lookups; print the signed receipt."""
    if out is not None and out.exists():
        raise ConflictError(f"{out} exists already: choose another --out file")
    settings = current_settings()
    staff_token = token or (settings.token.get_secret_value() if settings.token else None)
    with open_app(settings) as app:
        actor = authenticate_token(uow_factory=app.uow_factory, audit=app.audit, token=staff_token)
        receipt = app.erasure.erase_customer(
            actor=actor, customer_id=CustomerId(customer_id), reason=reason, purpose=purpose
        )
    if out is not None:
        with out.open("x", encoding="utf-8") as file:
            file.write(receipt.to_json() + "\n")
    if as_json:
        emit_json(receipt.as_dict())
        return
    _print_receipt(customer_id, receipt, out)


def _print_receipt(customer_id: str, receipt: ErasureReceipt, out: Path | None) -> None:
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

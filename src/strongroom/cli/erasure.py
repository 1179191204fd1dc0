"""``strongroom customers erase``: crypto-shred a customer and hand out the signed receipt."""

from __future__ import annotations

import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from strongroom.cli.backups import progress_bars
from strongroom.cli.context import open_app, staff_actor
from strongroom.cli.customers import customers_app
from strongroom.cli.erasure_output import hand_out_receipt, refuse_existing_receipt_file
from strongroom.cli.output import console, emit_json
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import CustomerId

_CUSTOMER_ID = re.compile(r"[0-9a-f-]{1,64}")


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
    refuse_existing_receipt_file(out)
    with open_app() as app:
        receipt = app.erasure.erase_customer(
            actor=staff_actor(app, token),
            customer_id=CustomerId(customer_id),
            reason=reason,
            purpose=purpose,
        )
    hand_out_receipt(customer_id, receipt, out=out, as_json=as_json)


@customers_app.command("erase-many")
def customers_erase_many(
    ids_file: Annotated[
        Path, typer.Argument(help="A file of customer ids, one per line ('-' for stdin)")
    ],
    reason: Annotated[
        str, typer.Option(help="Why, e.g. a retention decision reference; no personal data")
    ],
    token: Annotated[
        str | None,
        typer.Option(help="Staff API token; default STRONGROOM_TOKEN", show_default=False),
    ] = None,
    purpose: Annotated[str | None, typer.Option(help="Why you act; default: your role's")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Erase many customers: a transaction and one ledger write per 200, with a progress bar."""
    ids = _read_ids(ids_file)
    with open_app() as app, progress_bars(enabled=not as_json) as progress:
        report = app.erasure.erase_customers(
            actor=staff_actor(app, token),
            customer_ids=ids,
            reason=reason,
            purpose=purpose,
            progress=progress,
        )
    counts = asdict(report)
    if as_json:
        emit_json(counts)
        return
    console.print(
        f"[green]Erased[/] {report.erased} customers ({report.receipts} receipts in the ledger); "
        f"skipped: {report.unknown} unknown, {report.already_erased} erased already, "
        f"{report.held} under a legal hold"
    )


def _read_ids(path: Path) -> list[CustomerId]:
    text = sys.stdin.read() if str(path) == "-" else _read_text(path)
    ids = [line.strip() for line in text.splitlines() if line.strip()]
    if not ids:
        raise InvalidInputError(f"{path} holds no customer ids: give one id per line")
    bad = next((n for n, cid in enumerate(ids, 1) if not _CUSTOMER_ID.fullmatch(cid)), None)
    if bad is not None:
        raise InvalidInputError(f"{path}: id number {bad} is not a customer id (hex digits, '-')")
    return [CustomerId(cid) for cid in ids]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"cannot read {path} ({type(error).__name__})") from None

"""``strongroom privacy export|erase|rectify``: carry out a data-subject request.

``strongroom dsar`` tracks requests (open, verify, close); these commands do what a verified
request asks for, each acting as the staff member whose token is given (``--token`` or
STRONGROOM_TOKEN). ``dsar export`` and ``dsar rectify`` call the same helpers below.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from strongroom.bootstrap.privacy import export_subject_files
from strongroom.cli.context import open_app, staff_actor
from strongroom.cli.erasure_output import hand_out_receipt, refuse_existing_receipt_file
from strongroom.cli.output import console
from strongroom.core.models import CustomerId

privacy_app = typer.Typer(
    help="Carry out verified data-subject requests: export, erase, rectify (`dsar` tracks them)."
)

TokenOption = Annotated[
    str | None, typer.Option(help="Staff API token; default STRONGROOM_TOKEN", show_default=False)
]
CustomerArgument = Annotated[
    str, typer.Argument(help="The customer's id (checked against --request)")
]
ValueOption = Annotated[
    str, typer.Option(prompt=True, hide_input=True, help="The correct value (prompted)")
]


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"  # a zip of CSV tables


@privacy_app.command("export")
def privacy_export(
    customer_id: CustomerArgument,
    request: Annotated[str, typer.Option(help="The verified access request it answers")],
    out: Annotated[Path, typer.Option(help="New file to write (JSON, or a zip of CSVs)")],
    file_format: Annotated[
        ExportFormat, typer.Option("--format", help="json, or csv for a zip of CSV tables")
    ] = ExportFormat.JSON,
    token: TokenOption = None,
) -> None:
    """Everything held on the customer, decrypted, with who accessed it (audit log)."""
    export_request(
        token=token,
        request_id=request,
        out=out,
        csv_bundle=file_format is ExportFormat.CSV,
        customer_id=CustomerId(customer_id),
    )


@privacy_app.command("erase")
def privacy_erase(
    customer_id: CustomerArgument,
    request: Annotated[str, typer.Option(help="The verified erasure request it answers")],
    reason: Annotated[
        str | None, typer.Option(help="Added to the receipt after the request id; no personal data")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Also write the signed receipt to this new file")
    ] = None,
    token: TokenOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the receipt as JSON.")] = False,
) -> None:
    """Erase the customer by crypto-shredding, for their erasure request; prints the receipt."""
    refuse_existing_receipt_file(out)
    with open_app() as app:
        actor = staff_actor(app, token)
        app.privacy.requests.get(
            actor=actor, request_id=request, customer_id=CustomerId(customer_id)
        )
        receipt = app.privacy.eraser.erase(actor=actor, request_id=request, reason=reason)
    hand_out_receipt(customer_id, receipt, out=out, as_json=as_json)
    if not as_json:
        console.print(f"Close the request: `strongroom dsar close {request} --outcome ...`")


@privacy_app.command("rectify")
def privacy_rectify(
    customer_id: CustomerArgument,
    request: Annotated[str, typer.Option(help="The verified rectification request it answers")],
    field: Annotated[str, typer.Option(help="The customer field to correct, e.g. last_name")],
    value: ValueOption,
    token: TokenOption = None,
) -> None:
    """Correct one field of the customer's profile (encrypted and re-indexed as on ingest)."""
    rectify_request(
        token=token,
        request_id=request,
        field=field,
        value=value,
        customer_id=CustomerId(customer_id),
    )


def export_request(
    *,
    token: str | None,
    request_id: str,
    out: Path,
    csv_bundle: bool,
    customer_id: CustomerId | None = None,
) -> None:
    """Answer access request ``request_id`` in the new file ``out``; with ``customer_id``, only
    if the request is that customer's."""
    with open_app() as app:
        actor = staff_actor(app, token)
        if customer_id is not None:
            app.privacy.requests.get(actor=actor, request_id=request_id, customer_id=customer_id)
        export = export_subject_files(
            app.privacy, actor=actor, request_id=request_id, out=out, csv_bundle=csv_bundle
        )
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in export.tables.items())
    console.print(f"Wrote {out} (owner-only): {counts}")
    console.print("It holds the person's data in plain text: send it securely, then delete it.")


def rectify_request(
    *,
    token: str | None,
    request_id: str,
    field: str,
    value: str,
    customer_id: CustomerId | None = None,
) -> None:
    """Set ``field`` for rectification request ``request_id``; with ``customer_id``, only if the
    request is that customer's."""
    with open_app() as app:
        actor = staff_actor(app, token)
        if customer_id is not None:
            app.privacy.requests.get(actor=actor, request_id=request_id, customer_id=customer_id)
        app.privacy.rectifier.rectify(actor=actor, request_id=request_id, field=field, value=value)
    console.print(f"Rectified {field} for request {request_id}")

"""``strongroom customers show|export``: profiles as a staff member's token allows them."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, TaskID

from strongroom.access.bulkexport import (
    BulkExportReport,
    ExportFormat,
    bulk_export_payload,
    profile_record,
)
from strongroom.access.profiles import CustomerView
from strongroom.access.tokens import authenticate_token
from strongroom.bootstrap.exports import export_customers_file
from strongroom.cli.context import current_settings, open_app, staff_actor
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.core.errors import (
    ApprovalRequiredError,
    InvalidInputError,
    NotFoundError,
    VolumeLimitedError,
)
from strongroom.core.models import CustomerId

customers_app = typer.Typer(
    help="Customer profiles, read through the access policy.", no_args_is_help=True
)
TokenOption = Annotated[
    str | None,
    typer.Option(help="Staff API token; default STRONGROOM_TOKEN", show_default=False),
]
FORMATS = ", ".join(f.value for f in ExportFormat)


@customers_app.command("show")
def customers_show(
    customer_id: Annotated[str | None, typer.Argument(help="The customer's id")] = None,
    email: Annotated[str | None, typer.Option(help="Find the customer by email instead")] = None,
    phone: Annotated[str | None, typer.Option(help="Find the customer by phone instead")] = None,
    token: TokenOption = None,
    purpose: Annotated[
        str | None, typer.Option(help="Why you need it; default: your role's")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a customer profile with PII masked unless your token's role may read it."""
    chosen = [given for given in (customer_id, email, phone) if given is not None]
    if len(chosen) != 1:
        raise InvalidInputError("give exactly one of: a customer id, --email, --phone")
    settings = current_settings()
    staff_token = token or (settings.token.get_secret_value() if settings.token else None)
    with open_app(settings) as app:
        actor = authenticate_token(uow_factory=app.uow_factory, audit=app.audit, token=staff_token)
        if customer_id is not None:
            views = [
                app.profiles.read_customer(
                    actor=actor, customer_id=CustomerId(customer_id), purpose=purpose
                )
            ]
        else:
            field, value = ("email", email) if email is not None else ("phone", phone or "")
            views = app.profiles.find_customers(
                actor=actor, field=field, value=value, purpose=purpose
            )
    if not views:
        raise NotFoundError("no customer has that email address or phone number")
    if as_json:
        emit_json([profile_record(view) for view in views])
        return
    for view in views:
        _print_view(view)


def _print_view(view: CustomerView) -> None:
    console.print(f"[bold]Customer {view.id}[/]  created {view.created_at:%Y-%m-%d %H:%M} UTC")
    rows = [
        (name, value, "masked" if name in view.masked_fields else "")
        for name, value in sorted(view.traits.items())
    ]
    emit_table("Traits", ["field", "value", ""], rows)
    emit_table("Identifiers", ["kind", "value"], list(view.identifiers))
    console.print(
        f"{view.event_count} events, {view.order_count} orders totalling {view.order_total}"
    )


@customers_app.command("export")
def customers_export(
    out: Annotated[Path, typer.Option(help="The new file (never overwritten); mode 0600")],
    export_format: Annotated[str, typer.Option("--format", help=f"One of {FORMATS}")],
    purpose: Annotated[str, typer.Option(help="Why every profile is needed (a declared purpose)")],
    approval: Annotated[
        str | None, typer.Option(help="A second person's approval of this export (four eyes)")
    ] = None,
    token: TokenOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Export every customer's profile as your token's role may see it (masking, consent,
    training and the volume cap apply); needs a second person's approval."""
    try:
        chosen = ExportFormat(export_format)
    except ValueError:
        raise InvalidInputError(
            f"--format must be one of {FORMATS}, not {export_format!r}"
        ) from None
    if out.exists() or out.is_symlink():
        raise InvalidInputError(f"{out} exists already: choose another file name")
    with open_app() as app:
        actor = staff_actor(app, token)
        try:
            with _ProgressBar(disabled=as_json) as bar:
                report = export_customers_file(
                    app,
                    actor=actor,
                    out=out,
                    export_format=chosen,
                    purpose=purpose,
                    approval_id=approval,
                    progress=bar.show,
                )
        except VolumeLimitedError as error:  # refused before a single profile was read
            message = f"{error.message} (429 volume_limited); nothing was written"
            raise VolumeLimitedError(message, retry_after=error.retry_after) from None
        except ApprovalRequiredError:
            if approval is not None:
                raise
            payload = bulk_export_payload(export_format=chosen, purpose=purpose, reader=actor.name)
            _explain_bulk_export(payload)
            raise typer.Exit(code=2) from None
    _show_export(report, out, as_json)


class _ProgressBar:
    """A Rich progress bar that appears with the first batch, not while the export is checked."""

    def __init__(self, *, disabled: bool) -> None:
        self._bar = Progress(console=console, disable=disabled)
        self._task: TaskID | None = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *_: object) -> None:
        if self._task is not None:
            self._bar.stop()

    def show(self, done: int, total: int) -> None:
        if self._task is None:
            self._bar.start()
            self._task = self._bar.add_task("Exporting customers", total=total)
        self._bar.update(self._task, completed=done, total=total)


def _explain_bulk_export(payload: str) -> None:
    lines = (
        "A bulk export needs a second person's approval; nothing was written. Request it with:",
        f"  strongroom approvals request --kind bulk_export --payload {shlex.quote(payload)}",
        "have another person approve it, then run this again with --approval ID.",
    )
    for line in lines:
        console.print(line, markup=False)


def _show_export(report: BulkExportReport, out: Path, as_json: bool) -> None:
    if as_json:
        emit_json(
            {
                "file": str(out),
                "records": report.records,
                "purpose": report.purpose,
                "approval": report.approval_id,
                "pii_masked": report.pii_masked,
            }
        )
        return
    masked = "PII masked" if report.pii_masked else "PII in clear"
    console.print(
        f"Exported {report.records} customers to {out} (mode 0600, {masked})", markup=False
    )

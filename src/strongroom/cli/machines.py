"""``strongroom service-keys|vendors|apps ...``: machine principals, from the console."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import typer

from strongroom.access.machines.keys import IssuedKey
from strongroom.cli.context import local_actor, open_app, staff_actor
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.core.clock import ensure_utc
from strongroom.core.errors import InvalidInputError
from strongroom.core.machines import MachineKey, MachineKind
from strongroom.core.models import CustomerId

service_keys_app = typer.Typer(help="Service API keys: scoped, expiring, optionally IP-bound.")
vendors_app = typer.Typer(help="Vendor keys: time-boxed, IP-bound, least data.")
apps_app = typer.Typer(help="Third-party apps (OAuth 2 client credentials) and their grants.")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
DaysOption = Annotated[
    int, typer.Option("--days", min=1, max=366, help="Days until the key expires (at most 366)")
]
NetworkOption = Annotated[
    list[str] | None, typer.Option("--network", help="A CIDR it may be used from (repeatable)")
]
FingerprintOption = Annotated[
    str | None,
    typer.Option("--cert-fingerprint", help="SHA-256 of the client certificate it must present"),
]
TokenOption = Annotated[
    str | None, typer.Option(help="Staff API token; default STRONGROOM_TOKEN", show_default=False)
]


def _key_row(key: MachineKey) -> dict[str, object]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "role": key.role,
        "scopes": list(key.scopes),
        "fields": list(key.fields),
        "purpose": key.purpose,
        "networks": list(key.networks),
        "cert_fingerprint": key.cert_fingerprint,
        "valid_from": key.valid_from.isoformat(),
        "expires_at": key.expires_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def _show_issued(issued: IssuedKey, what: str, as_json: bool) -> None:
    if as_json:
        emit_json({**_key_row(issued.key), "key": issued.secret})
        return
    key = issued.key
    console.print(f"{what} {key.id} for [bold]{key.name}[/], expires {key.expires_at:%Y-%m-%d}")
    console.print(f"Key (shown once, store it now): [bold]{issued.secret}[/]")


def _show_keys(keys: list[MachineKey], title: str, as_json: bool) -> None:
    columns = ("id", "name", "prefix", "scopes", "fields", "networks", "expires_at", "revoked_at")
    _show_rows([_key_row(key) for key in keys], title, columns, as_json)


def _show_rows(
    rows: list[dict[str, object]], title: str, columns: tuple[str, ...], as_json: bool
) -> None:
    """The rows as JSON, or as a table of ``columns`` (lists joined by spaces)."""
    if as_json:
        emit_json(rows)
        return
    emit_table(title, columns, [[_cell(row[c]) for c in columns] for row in rows])


def _cell(value: object) -> object:
    return " ".join(str(v) for v in value) if isinstance(value, list) else value


@service_keys_app.command("create")
def service_keys_create(
    name: Annotated[str, typer.Argument(help="What the key is for, e.g. billing-sync")],
    role: Annotated[str, typer.Option(help="The declared role it acts in")],
    days: DaysOption,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="A permission of the role (repeatable); default: all"),
    ] = None,
    network: NetworkOption = None,
    cert_fingerprint: FingerprintOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue a service API key and print it (shown once; only its hash is stored)."""
    with open_app() as app:
        issued = app.machines.keys.issue_service_key(
            actor=local_actor(),
            name=name,
            role=role,
            scopes=scope or [],
            expires_at=app.clock.now() + timedelta(days=days),
            networks=network or [],
            cert_fingerprint=cert_fingerprint,
        )
    _show_issued(issued, "Service key", as_json)


@service_keys_app.command("list")
def service_keys_list(as_json: JsonOption = False) -> None:
    """Every service key, revoked and expired ones too (never the secrets)."""
    with open_app() as app:
        keys = app.machines.keys.list(actor=local_actor(), kind=MachineKind.SERVICE)
    _show_keys(keys, "Service keys", as_json)


@service_keys_app.command("revoke")
def service_keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id")]) -> None:
    """Revoke a service key: the next request with it is refused."""
    with open_app() as app:
        app.machines.keys.revoke(actor=local_actor(), key_id=key_id, kind=MachineKind.SERVICE)
    console.print(f"Revoked service key {key_id}")


@vendors_app.command("create")
def vendors_create(
    name: Annotated[str, typer.Argument(help="The vendor, e.g. acme-mailing")],
    field: Annotated[list[str], typer.Option("--field", help="A profile field it may read")],
    network: Annotated[list[str], typer.Option("--network", help="A CIDR it works from")],
    purpose: Annotated[str, typer.Option(help="The declared purpose of its reads")],
    days: DaysOption,
    valid_from: Annotated[
        str | None, typer.Option(help="When the key starts to work (ISO 8601); default: now")
    ] = None,
    cert_fingerprint: FingerprintOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue a vendor key: only the listed fields, from the listed networks, for N days."""
    start = _moment(valid_from) if valid_from else None
    with open_app() as app:
        issued = app.machines.keys.issue_vendor_key(
            actor=local_actor(),
            name=name,
            fields=field,
            networks=network,
            purpose=purpose,
            valid_from=start,
            expires_at=(start or app.clock.now()) + timedelta(days=days),
            cert_fingerprint=cert_fingerprint,
        )
    _show_issued(issued, "Vendor key", as_json)


@vendors_app.command("list")
def vendors_list(as_json: JsonOption = False) -> None:
    """Every vendor key, revoked and expired ones too (never the secrets)."""
    with open_app() as app:
        keys = app.machines.keys.list(actor=local_actor(), kind=MachineKind.VENDOR)
    _show_keys(keys, "Vendor keys", as_json)


@vendors_app.command("revoke")
def vendors_revoke(key_id: Annotated[str, typer.Argument(help="The vendor key's id")]) -> None:
    """Revoke a vendor key: the next request with it is refused."""
    with open_app() as app:
        app.machines.keys.revoke(actor=local_actor(), key_id=key_id, kind=MachineKind.VENDOR)
    console.print(f"Revoked vendor key {key_id}")


@apps_app.command("register")
def apps_register(
    name: Annotated[str, typer.Argument(help="The app's name")],
    scope: Annotated[
        list[str], typer.Option("--scope", help="A purpose it may ask customers for (repeatable)")
    ],
    as_json: JsonOption = False,
) -> None:
    """Register an app; prints its client id and secret (the secret shown once)."""
    with open_app() as app:
        registered = app.machines.apps.register(actor=local_actor(), name=name, scopes=scope)
    client = registered.app
    if as_json:
        emit_json(
            {
                "client_id": client.client_id,
                "client_secret": registered.client_secret,
                "name": client.name,
                "scopes": list(client.scopes),
            }
        )
        return
    console.print(f"App [bold]{client.name}[/]: client id {client.client_id}")
    console.print(f"Client secret (shown once, store it now): [bold]{registered.client_secret}[/]")


@apps_app.command("list")
def apps_list(as_json: JsonOption = False) -> None:
    """Every registered app (never the secrets)."""
    with open_app() as app:
        apps = app.machines.apps.list(actor=local_actor())
    rows: list[dict[str, object]] = [
        {
            "client_id": a.client_id,
            "name": a.name,
            "scopes": list(a.scopes),
            "created_at": a.created_at.isoformat(),
            "revoked_at": a.revoked_at.isoformat() if a.revoked_at else None,
        }
        for a in apps
    ]
    columns = ("client_id", "name", "scopes", "created_at", "revoked_at")
    _show_rows(rows, "Apps", columns, as_json)


@apps_app.command("revoke")
def apps_revoke(client_id: Annotated[str, typer.Argument(help="The app's client id")]) -> None:
    """Revoke an app: its tokens stop working at the next call."""
    with open_app() as app:
        app.machines.apps.revoke(actor=local_actor(), client_id=client_id)
    console.print(f"Revoked app {client_id}")


@apps_app.command("grant")
def apps_grant(
    client_id: Annotated[str, typer.Argument(help="The app's client id")],
    customer_id: Annotated[str, typer.Argument(help="The customer's id")],
    purpose: Annotated[str, typer.Option(help="The purpose the customer grants the app")],
    token: TokenOption = None,
) -> None:
    """Record a customer's grant to an app (e.g. from a signed form); needs consent.manage."""
    _decide(client_id, customer_id, purpose, token, granted=True)
    console.print(f"Recorded: customer {customer_id} granted {client_id} {purpose}")


@apps_app.command("ungrant")
def apps_ungrant(
    client_id: Annotated[str, typer.Argument(help="The app's client id")],
    customer_id: Annotated[str, typer.Argument(help="The customer's id")],
    purpose: Annotated[str, typer.Option(help="The purpose the customer withdraws")],
    token: TokenOption = None,
) -> None:
    """Record that a customer withdrew an app's grant: its next call for them is refused."""
    _decide(client_id, customer_id, purpose, token, granted=False)
    console.print(f"Recorded: customer {customer_id} withdrew {purpose} from {client_id}")


def _decide(
    client_id: str, customer_id: str, purpose: str, token: str | None, *, granted: bool
) -> None:
    with open_app() as app:
        app.machines.grants.record(
            actor=staff_actor(app, token),
            customer_id=CustomerId(customer_id),
            client_id=client_id,
            purpose=purpose,
            granted=granted,
        )


def _moment(text: str) -> datetime:
    try:
        return ensure_utc(datetime.fromisoformat(text))
    except ValueError:
        raise InvalidInputError(
            f"--valid-from {text!r} is not an ISO 8601 time, e.g. 2026-01-31T09:00"
        ) from None

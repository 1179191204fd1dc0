"""``strongroom sources ...``: sources of tracking data, their write keys and settings."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated

import typer

from strongroom.cli.context import local_actor, open_app
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.collect.ratelimit import DEFAULT_RATE_LIMIT
from strongroom.collect.sources import (
    SettingsChange,
    change_settings,
    create_source,
    list_sources,
    revoke_key,
    rotate_key,
    source_keys,
)
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import Channel, Source, WriteKey

sources_app = typer.Typer(
    help="Sources of tracking data, their write keys and settings.", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
NameArgument = Annotated[str, typer.Argument(help="The source's name")]
_DURATION = re.compile(r"^(\d{1,6})([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """``90s``, ``30m``, ``24h``, ``7d`` or ``0``."""
    if text.strip() == "0":
        return timedelta(0)
    match = _DURATION.match(text.strip().lower())
    if match is None:
        raise InvalidInputError(f"{text[:20]!r} is not a duration: use e.g. 30m, 24h or 7d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@sources_app.command("create")
def sources_create(
    name: Annotated[str, typer.Argument(help="A short name, e.g. web-shop")],
    channel: Annotated[Channel, typer.Option(help="Where the data comes from")],
    as_json: JsonOption = False,
) -> None:
    """Create a source; print its write key (and, for server and pos, its signing secret) once."""
    with open_app() as app:
        created = create_source(
            uow_factory=app.uow_factory,
            audit=app.audit,
            clock=app.clock,
            actor=local_actor(),
            name=name,
            channel=channel,
            keys=app.gate.keys,
        )
    source = created.source
    if as_json:
        emit_json(
            {
                "id": source.id,
                "name": source.name,
                "channel": source.channel.value,
                "write_key": created.write_key,
                "signing_secret": created.signing_secret,
            }
        )
        return
    console.print(f"Created source [bold]{source.name}[/] ({source.channel.value}), id {source.id}")
    _print_secrets(created.write_key, created.signing_secret)


@sources_app.command("list")
def sources_list(as_json: JsonOption = False) -> None:
    """List sources with their settings and write keys (by prefix, with expiry)."""
    with open_app() as app:
        listed = [
            source_keys(uow_factory=app.uow_factory, name=s.name)
            for s in list_sources(uow_factory=app.uow_factory)
        ]
        now = app.clock.now()
    if as_json:
        emit_json([_source_json(source, keys) for source, keys in listed])
        return
    rows = [
        (
            s.name,
            s.channel.value,
            s.id,
            ", ".join(s.allowed_origins),
            s.rate_limit or f"{DEFAULT_RATE_LIMIT} (default)",
            "yes" if s.require_signature else "no",
            "\n".join(_key_line(k, now) for k in keys),
        )
        for s, keys in listed
    ]
    columns = ["name", "channel", "id", "origins", "rate/s", "signed", "write keys"]
    emit_table("Sources", columns, rows)


@sources_app.command("rotate-key")
def sources_rotate_key(
    name: NameArgument,
    overlap: Annotated[
        str, typer.Option(help="How long the old keys keep working, e.g. 24h, 30m, 7d, 0")
    ] = "24h",
    as_json: JsonOption = False,
) -> None:
    """Give the source a new write key, printed once; its old keys expire after the overlap."""
    window = parse_duration(overlap)
    with open_app() as app:
        rotated = rotate_key(
            uow_factory=app.uow_factory,
            audit=app.audit,
            clock=app.clock,
            actor=local_actor(),
            name=name,
            overlap=window,
            keys=app.gate.keys,
        )
    if as_json:
        emit_json(
            {
                "key_id": rotated.key.id,
                "write_key": rotated.write_key,
                "signing_secret": rotated.signing_secret,
                "old_keys_expire_at": rotated.old_keys_expire_at,
            }
        )
        return
    console.print(f"New write key {rotated.key.id} for [bold]{name}[/]")
    _print_secrets(rotated.write_key, rotated.signing_secret)
    console.print(f"The source's older keys stop working at {rotated.old_keys_expire_at}")


@sources_app.command("revoke-key")
def sources_revoke_key(
    name: NameArgument,
    key: Annotated[str, typer.Argument(help="The key's id, or its prefix if unique")],
) -> None:
    """Revoke one write key now: calls with it are refused from now on."""
    with open_app() as app:
        revoked = revoke_key(
            uow_factory=app.uow_factory,
            audit=app.audit,
            clock=app.clock,
            actor=local_actor(),
            name=name,
            key=key,
        )
    console.print(f"Revoked write key {revoked.id} ({revoked.prefix}...) of {name}")


@sources_app.command("settings")
def sources_settings(
    name: NameArgument,
    allow_origin: Annotated[
        list[str] | None,
        typer.Option(help="A browser origin allowed to send (repeat; replaces the list)"),
    ] = None,
    clear_origins: Annotated[
        bool, typer.Option("--clear-origins", help="Allow no browser origin")
    ] = False,
    rate_limit: Annotated[
        int | None, typer.Option(min=1, help="Requests per second, per server process")
    ] = None,
    require_signature: Annotated[
        bool | None,
        typer.Option("--require-signature/--no-require-signature", help="Refuse unsigned batches"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change a source's allowed origins, rate limit or signature requirement."""
    origins = () if clear_origins else (tuple(allow_origin) if allow_origin else None)
    change = SettingsChange(origins, rate_limit, require_signature)
    with open_app() as app:
        source = change_settings(
            uow_factory=app.uow_factory,
            audit=app.audit,
            actor=local_actor(),
            name=name,
            change=change,
        )
    if as_json:
        emit_json(_source_json(source, []) | {"write_keys": None})
        return
    console.print(
        f"{source.name}: origins [{', '.join(source.allowed_origins)}], rate limit "
        f"{source.rate_limit or DEFAULT_RATE_LIMIT}/s, signed batches "
        f"{'required' if source.require_signature else 'not required'}"
    )


def _print_secrets(write_key: str, signing_secret: str | None) -> None:
    console.print(f"Write key (shown once, store it now): [bold]{write_key}[/]")
    if signing_secret:
        console.print(f"Signing secret (shown once, store it now): [bold]{signing_secret}[/]")


def _key_line(key: WriteKey, now: datetime) -> str:
    if key.revoked_at is not None:
        state = f"revoked {key.revoked_at.isoformat(timespec='seconds')}"
    elif key.expires_at is not None:
        verb = "expired" if key.expires_at <= now else "expires"
        state = f"{verb} {key.expires_at.isoformat(timespec='seconds')}"
    else:
        state = "active"
    return f"{key.prefix}... {state}"


def _source_json(source: Source, keys: list[WriteKey]) -> dict[str, object]:
    return {
        "id": source.id,
        "name": source.name,
        "channel": source.channel.value,
        "created_at": source.created_at.isoformat(),
        "disabled_at": source.disabled_at.isoformat() if source.disabled_at else None,
        "allowed_origins": list(source.allowed_origins),
        "rate_limit": source.rate_limit,
        "require_signature": source.require_signature,
        "write_keys": [
            {
                "id": k.id,
                "prefix": k.prefix,
                "created_at": k.created_at.isoformat(),
                "expires_at": k.expires_at.isoformat() if k.expires_at else None,
                "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
                "signed": k.signing_secret is not None,
            }
            for k in keys
        ],
    }

"""``strongroom staff ...``: people who log in, their passwords, second factors and offboarding."""

from __future__ import annotations

import getpass
import sys
from dataclasses import asdict
from typing import Annotated

import typer

from strongroom.access.staff import Enrolment
from strongroom.cli.context import local_actor, open_app
from strongroom.cli.grants import ApprovalOption, explain_role_grant
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.core.errors import InvalidInputError

staff_app = typer.Typer(
    help="Staff accounts: login, second factors, offboarding.", no_args_is_help=True
)
totp_app = typer.Typer(help="TOTP (authenticator app) second factor.", no_args_is_help=True)
staff_app.add_typer(totp_app, name="totp")

NameArgument = Annotated[str, typer.Argument(help="The person's login name")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _show_enrolment(enrolment: Enrolment, as_json: bool) -> None:
    if as_json:
        emit_json(
            {
                "name": enrolment.name,
                "role": enrolment.role,
                "enrolment_code": enrolment.code,
                "expires_at": enrolment.expires_at.isoformat(),
            }
        )
        return
    console.print(f"Enrolment code for [bold]{enrolment.name}[/] ({enrolment.role}), shown once:")
    console.print(
        f"  [bold]{enrolment.code}[/]  (valid until {enrolment.expires_at:%Y-%m-%d %H:%M} UTC)"
    )
    console.print("It registers one security key at POST /api/v1/auth/webauthn/register/options.")


@staff_app.command("create")
def staff_create(
    name: NameArgument,
    role: Annotated[str, typer.Option(help="The person's role, e.g. support or dpo")],
    approval: ApprovalOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a person with a role (a role grant: four eyes); prints a one-time code to
    register their security key."""
    with open_app() as app, explain_role_grant(name, role, approval):
        enrolment = app.staff.admin.create(
            actor=local_actor(), name=name, role=role, approval_id=approval
        )
    _show_enrolment(enrolment, as_json)


@staff_app.command("enrol-key")
def staff_enrol_key(name: NameArgument, as_json: JsonOption = False) -> None:
    """A new one-time code with which the person registers another (or a lost) security key."""
    with open_app() as app:
        enrolment = app.staff.admin.enrolment_code(actor=local_actor(), name=name)
    _show_enrolment(enrolment, as_json)


def _read_password() -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise InvalidInputError("no password on standard input")
        return line.rstrip("\r\n")
    password = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != password:
        raise InvalidInputError("the two passwords differ; nothing was changed")
    return password


@staff_app.command("password")
def staff_password(name: NameArgument) -> None:
    """Set the person's password: asked twice at a terminal, else one line of standard input."""
    password = _read_password()
    with open_app() as app:
        app.staff.admin.set_password(actor=local_actor(), name=name, password=password)
    console.print(f"Password of {name} set")


@totp_app.command("enrol")
def staff_totp_enrol(name: NameArgument, as_json: JsonOption = False) -> None:
    """Give the person a new TOTP secret (replacing any old one); shown once."""
    with open_app() as app:
        enrolment = app.staff.admin.enrol_totp(actor=local_actor(), name=name)
    if as_json:
        emit_json({"name": name, "secret": enrolment.secret, "uri": enrolment.uri})
        return
    console.print(f"TOTP secret for [bold]{name}[/] (shown once): [bold]{enrolment.secret}[/]")
    console.print(f"  {enrolment.uri}")


@staff_app.command("recovery-codes")
def staff_recovery_codes(name: NameArgument, as_json: JsonOption = False) -> None:
    """Ten new single-use recovery codes (the old ones stop working); shown once."""
    with open_app() as app:
        codes = app.staff.admin.new_recovery_codes(actor=local_actor(), name=name)
    if as_json:
        emit_json({"name": name, "recovery_codes": codes})
        return
    console.print(f"Recovery codes for [bold]{name}[/], each works once (shown once):")
    for code in codes:
        console.print(f"  {code}")


@staff_app.command("disable")
def staff_disable(name: NameArgument, as_json: JsonOption = False) -> None:
    """Offboard a person: every session ends and every API token is revoked, at once."""
    with open_app() as app:
        done = app.staff.admin.disable(actor=local_actor(), name=name)
    if as_json:
        emit_json(
            {
                "name": name,
                "sessions_ended": done.sessions_ended,
                "tokens_revoked": done.tokens_revoked,
            }
        )
        return
    console.print(
        f"Disabled {name}: {done.sessions_ended} session(s) ended, "
        f"{done.tokens_revoked} token(s) revoked"
    )


@staff_app.command("enable")
def staff_enable(name: NameArgument) -> None:
    """Let a disabled person log in again (old sessions and tokens stay ended)."""
    with open_app() as app:
        app.staff.admin.enable(actor=local_actor(), name=name)
    console.print(f"Enabled {name}")


@staff_app.command("list")
def staff_list(as_json: JsonOption = False) -> None:
    """Every person, their role, state and second factors."""
    with open_app() as app:
        people = app.staff.admin.people()
    if as_json:
        emit_json([asdict(person) for person in people])
        return
    rows = [
        (
            p.name,
            p.role,
            "disabled" if p.disabled else "active",
            "yes" if p.password else "no",
            "yes" if p.totp else "no",
            p.security_keys,
            p.recovery_codes_left,
        )
        for p in people
    ]
    columns = ("name", "role", "state", "password", "totp", "keys", "recovery codes")
    emit_table("Staff", columns, rows)


@staff_app.command("sessions")
def staff_sessions(
    name: NameArgument,
    end: Annotated[bool, typer.Option("--end", help="End every live session now")] = False,
    as_json: JsonOption = False,
) -> None:
    """The person's sessions (newest first); --end ends the live ones at once."""
    with open_app() as app:
        if end:
            ended = app.staff.admin.end_sessions(actor=local_actor(), name=name)
            console.print(f"Ended {ended} session(s) of {name}")
            return
        sessions = app.staff.admin.sessions(name)
    rows = [
        {
            "id": s.id,
            "mfa": s.mfa.value,
            "created_at": s.created_at.isoformat(),
            "last_seen_at": s.last_seen_at.isoformat(),
            "ip": s.ip,
            "ended_at": s.ended_at.isoformat() if s.ended_at else None,
        }
        for s in sessions
    ]
    if as_json:
        emit_json(rows)
        return
    columns = ("id", "mfa", "created_at", "last_seen_at", "ip", "ended_at")
    emit_table(f"Sessions of {name}", columns, [[row[c] for c in columns] for row in rows])

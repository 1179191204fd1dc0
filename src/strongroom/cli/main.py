"""The ``strongroom`` command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.exceptions import TyperException

from strongroom.api.server import build_server
from strongroom.bootstrap import initialise
from strongroom.cli import erasure as _erasure  # noqa: F401 - registers customers erase
from strongroom.cli import receipts as _receipts  # noqa: F401 - registers keys verify-receipt
from strongroom.cli import rotation as _rotation  # noqa: F401 - registers keys status|rotate|retire
from strongroom.cli.admin import sources_app, tokens_app
from strongroom.cli.audit import audit_app
from strongroom.cli.backups import backup_app
from strongroom.cli.cards import cards_app
from strongroom.cli.context import current_settings, local_actor, open_app, root_passphrase
from strongroom.cli.customers import customers_app
from strongroom.cli.demo import demo
from strongroom.cli.keys import keys_app
from strongroom.cli.monitor import alerts_app, honeytokens_app, monitor_app
from strongroom.cli.output import console, emit_error, emit_json
from strongroom.core.errors import ConfigurationError, StrongroomError

app = typer.Typer(
    name="strongroom",
    help="Strongroom: a secure-by-default customer data platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(sources_app, name="sources")
app.add_typer(tokens_app, name="tokens")
app.add_typer(customers_app, name="customers")
app.add_typer(audit_app, name="audit")
app.add_typer(cards_app, name="cards")
app.add_typer(keys_app, name="keys")
app.add_typer(backup_app, name="backup")
app.add_typer(monitor_app, name="monitor")
app.add_typer(alerts_app, name="alerts")
app.add_typer(honeytokens_app, name="honeytokens")
app.command("demo")(demo)


@app.command("init")
def init(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Create the data home: root key (file, env or HSM), database, keyring, TLS certificate."""
    settings = current_settings()
    report = initialise(
        settings, passphrase=root_passphrase(settings, confirm=True), actor=local_actor()
    )
    if as_json:
        emit_json(
            {
                "home": report.home,
                "database": report.database,
                "root_key": report.root_key_path,
                "tls_certificate": report.tls_cert_path,
            }
        )
        return
    console.print(f"Initialised {report.home}")
    console.print(f"  database:        {report.database}")
    console.print(f"  root key:        {report.root_key_path} ({report.root_key_advice})")
    console.print(f"  TLS certificate: {report.tls_cert_path} (self-signed)")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")] = 8443,
    cert: Annotated[Path | None, typer.Option(help="TLS certificate (PEM)")] = None,
    key: Annotated[Path | None, typer.Option(help="TLS private key (PEM)")] = None,
    insecure_dev: Annotated[
        bool, typer.Option("--insecure-dev", help="Plain HTTP, loopback only, for development")
    ] = False,
) -> None:
    """Serve the API over TLS (plain HTTP only with --insecure-dev on loopback)."""
    with open_app() as strongroom:
        server = build_server(
            strongroom, host=host, port=port, cert=cert, key=key, insecure_dev=insecure_dev
        )
        scheme = "http" if insecure_dev else "https"
        console.print(f"Starting on {scheme}://{host}:{port}  (Ctrl+C to stop)")
        server.run()
        if not server.started:
            raise ConfigurationError(f"could not serve on {host}:{port}; is the port in use?")


def run() -> None:
    """Entry point: errors become one line on stderr and a non-zero exit, never a traceback."""
    try:
        outcome = app(standalone_mode=False)
    except TyperException as error:  # usage errors: a bad option, a missing argument
        message = _usage_message(error)
        if message:  # empty when the help was shown for a bare group command
            emit_error(message)
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.exit(130)
    except StrongroomError as error:
        emit_error(error.message)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:
        emit_error(f"unexpected {type(error).__name__}; nothing was changed that was not committed")
        sys.exit(2)
    sys.exit(outcome if isinstance(outcome, int) else 0)


def _usage_message(error: TyperException) -> str:
    format_message = getattr(error, "format_message", None)
    message = format_message() if callable(format_message) else str(error)
    return " ".join(str(message).replace("Value error, ", "").split())

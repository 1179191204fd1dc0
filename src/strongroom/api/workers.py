"""Serving with several worker processes: one listening socket, one app per process.

The parent binds the socket, then forks the workers; each builds its own App (its own database
connections and keyring, never shared across a fork) and serves the inherited socket with the
same TLS configuration as a single server. The parent forwards SIGINT/SIGTERM to the workers and
waits for them. State kept per process: rate-limit buckets and pending honeytoken alarms (see
docs/api.md); everything else lives in the database.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable
from types import FrameType

import uvicorn

from strongroom.bootstrap import App

MAX_WORKERS = 32


def bind_socket(host: str, port: int) -> socket.socket:
    """The listening socket every worker serves."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve_workers(
    workers: int,
    *,
    sock: socket.socket,
    open_app: Callable[[], App],
    make_server: Callable[[App], uvicorn.Server],
) -> int:
    """Fork ``workers`` processes serving ``sock``; returns the number that failed."""
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # the worker
            _run_worker(sock, open_app, make_server)
        children.append(pid)

    def forward(signum: int, _frame: FrameType | None) -> None:
        for child in children:
            _signal(child, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    failed = 0
    for child in children:
        _, status = os.waitpid(child, 0)
        # 130 or -SIGINT: the worker stopped on the interrupt it was sent.
        failed += int(os.waitstatus_to_exitcode(status) not in (0, 130, -signal.SIGINT))
    return failed


def _run_worker(
    sock: socket.socket, open_app: Callable[[], App], make_server: Callable[[App], uvicorn.Server]
) -> None:
    code = 0
    try:
        app = open_app()
        try:
            make_server(app).run(sockets=[sock])
        finally:
            app.close()
    except BaseException as error:  # a worker never returns into the parent's code
        code = 130 if isinstance(error, KeyboardInterrupt) else 1
        if code == 1:
            print(f"worker {os.getpid()} stopped: {type(error).__name__}", file=sys.stderr)
    finally:
        os._exit(code)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)

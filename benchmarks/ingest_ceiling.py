"""The ingest ceiling: /v1/batch with everything on, against an endpoint that only parses.

    .venv/bin/python benchmarks/ingest_ceiling.py [--events 10000] [--batch-size 100]
        [--workers 1 2] [--connections 4]

Both servers run under uvicorn with the same TLS certificate, at 1 and then 2 worker processes,
and get the same bodies over ``--connections`` keep-alive HTTPS connections posting in parallel
(so a second worker has work to take). Strongroom classifies, encrypts, resolves identities and
audits every batch (SQLite, WAL; each run on a fresh data home); the bare FastAPI endpoint only
reads and parses the body with the same Segment parser and answers ``{"success": true}``. The
ratio is how much of the HTTP+parse ceiling the protected path keeps.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ingest import (  # type: ignore[import-not-found]  # run as a script from benchmarks/
    _wait_until_healthy,
    count_stored,
    describe,
    free_port,
    make_workload,
    post_through_server,
    prepare_home,
    serving,
)
from strongroom.collect.segment import parse_request


def bare_api() -> FastAPI:
    """A FastAPI app that parses /v1/batch bodies like Strongroom and stores nothing."""
    api = FastAPI()

    @api.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @api.post("/v1/batch")
    async def batch(request: Request) -> JSONResponse:
        parse_request(await request.body(), endpoint="batch")
        return JSONResponse({"success": True})

    return api


@contextlib.contextmanager
def serving_bare(cert: Path, key: Path, log: Path, workers: int) -> Iterator[str]:
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve-bare",
                str(port),
                str(cert),
                str(key),
                str(workers),
            ],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).parent,
        )
        try:
            _wait_until_healthy(process, url, cert, log)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def serve_bare(port: int, cert: str, key: str, workers: int) -> None:
    uvicorn.run(
        "ingest_ceiling:bare_api",
        factory=True,
        workers=workers,
        host="127.0.0.1",
        port=port,
        ssl_certfile=cert,
        ssl_keyfile=key,
        log_level="warning",
        access_log=False,
    )


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--serve-bare", nargs=4, metavar=("PORT", "CERT", "KEY", "WORKERS"))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if arguments.serve_bare:
        port, cert, key, workers = arguments.serve_bare
        serve_bare(int(port), cert, key, int(workers))
        return
    workload = make_workload(arguments.events, seed=arguments.seed)
    for workers in arguments.workers:
        bare, full = _measure(workload.messages, workers, arguments)
        label = f"{workers} worker{'s' if workers > 1 else ''}, {arguments.connections} connections"
        print(describe(f"bare FastAPI parse-only, TLS, {label}", bare))
        print(describe(f"Strongroom /v1/batch, TLS, {label} (SQLite)", full))
        print(f"Strongroom / bare at {workers} worker(s) = {full.rate / bare.rate:.4f}")


def _measure(
    messages: Sequence[Any], workers: int, arguments: argparse.Namespace
) -> tuple[Any, Any]:
    passphrase = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="strongroom-ceiling-") as scratch:
        root = Path(scratch)
        settings, write_key = prepare_home(root / "home", passphrase, None)
        cert, key = settings.tls_cert_path, settings.tls_key_path
        post = (cert, write_key, messages, arguments.batch_size, arguments.connections)
        with serving_bare(cert, key, root / "bare.log", workers) as url:
            bare = post_in_parallel(url, *post)
        with serving(settings, passphrase, root / "server.log", workers=workers) as url:
            full = post_in_parallel(url, *post)
        stored = count_stored(settings)
    if stored[0] != len(messages):
        raise SystemExit(f"Strongroom stored {stored[0]} events of {len(messages)}")
    return bare, full


def post_in_parallel(
    url: str,
    cert: Path,
    write_key: str,
    messages: Sequence[Any],
    batch_size: int,
    connections: int,
) -> Any:
    """Split the batches over ``connections`` threads, each with its own keep-alive connection."""
    chunks = [messages[i::connections] for i in range(connections)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=connections) as pool:
        runs = list(
            pool.map(
                lambda chunk: post_through_server(url, cert, write_key, chunk, batch_size), chunks
            )
        )
    elapsed = time.perf_counter() - started
    latencies = [latency for run in runs for latency in run.batch_seconds]
    return type(runs[0])(len(messages), elapsed, latencies)


if __name__ == "__main__":
    main()

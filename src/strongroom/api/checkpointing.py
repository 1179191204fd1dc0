"""The server's background task: sign an audit checkpoint whenever the policy says one is due.

Every second it asks the checkpointer, which answers from two single-row reads, whether N new
entries or T seconds have passed; when the server stops, anything not yet signed is signed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from strongroom.api.suspect_sync import sync_suspects_forever
from strongroom.audit.checkpointer import AuditCheckpointer
from strongroom.core.errors import StrongroomError

logger = logging.getLogger("strongroom.audit")

CHECK_INTERVAL_SECONDS = 1.0


def checkpoint_quietly(checkpointer: AuditCheckpointer, *, final: bool = False) -> None:
    """One due-check (and checkpoint); a failure is logged, never raised into the server."""
    try:
        checkpointer.checkpoint_if_due(final=final)
    except StrongroomError as error:
        logger.error("audit checkpoint failed: %s", error.message)
    except Exception as error:  # the loop must outlive one bad round; log no details
        logger.error("audit checkpoint failed unexpectedly: %s", type(error).__name__)


async def _every_interval(checkpointer: AuditCheckpointer, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        await run_in_threadpool(checkpoint_quietly, checkpointer)


@asynccontextmanager
async def checkpoint_lifespan(api: FastAPI) -> AsyncIterator[None]:
    """Run the checkpoint loop while the server serves; sign what is left when it stops.

    Beside it runs the copying of incident suspects' audit entries (``api.suspect_sync``)."""
    checkpointer: AuditCheckpointer = api.state.strongroom.checkpoints
    interval = min(CHECK_INTERVAL_SECONDS, checkpointer.policy.every_seconds)
    task = asyncio.create_task(_every_interval(checkpointer, interval))
    syncing = asyncio.create_task(sync_suspects_forever(api.state.strongroom.respond.suspects))
    try:
        yield
    finally:
        for running in (task, syncing):
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
        await run_in_threadpool(checkpoint_quietly, checkpointer, final=True)

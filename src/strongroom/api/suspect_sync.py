"""The server's background copying of suspects' audit entries onto incident timelines.

Every few seconds one capped pass (``respond.suspects``) runs over the incidents not closed, in
a worker thread; a failure is logged by its type only and the loop goes on.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool

from strongroom.core.errors import StrongroomError
from strongroom.respond.suspects import SuspectWatcher

logger = logging.getLogger("strongroom.incidents")

SYNC_INTERVAL_SECONDS = 5.0


def sync_quietly(watcher: SuspectWatcher) -> int:
    """One pass; how many entries were copied (0 when it failed, which is logged)."""
    try:
        return watcher.sync_open().copied
    except StrongroomError as error:
        logger.error("copying suspects' audit entries failed: %s", error.message)
    except Exception as error:  # the loop must outlive one bad round; log no details
        logger.error(
            "copying suspects' audit entries failed unexpectedly: %s", type(error).__name__
        )
    return 0


async def sync_suspects_forever(
    watcher: SuspectWatcher, interval: float = SYNC_INTERVAL_SECONDS
) -> None:
    while True:
        await asyncio.sleep(interval)
        await run_in_threadpool(sync_quietly, watcher)

"""Run an app's lifespan in one task of its own.

pytest-asyncio sets a fixture up and tears it down in different tasks, while Litestar's
lifespan (anyio cancel scopes, the asyncpg pool) must be entered and exited in one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any


@asynccontextmanager
async def running_lifespan(app: Any) -> AsyncIterator[None]:
    started = asyncio.Event()
    stop = asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    done, _ = await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        waiter.cancel()
        task.result()  # raises what made the start-up fail
    try:
        yield
    finally:
        stop.set()
        await task

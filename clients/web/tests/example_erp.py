"""The example ERP (deploy/examples/erp_client) run beside the browser tests, on a thread of its own."""

import asyncio
import threading

from erp_client.client import Config, ErpClient


class ErpInThread:
    """The example ERP (deploy/examples/erp_client) as De Regenboog's integrator runs it, on its own event loop:
    Playwright's sync API owns this thread's loop."""

    def __init__(self, config: Config) -> None:
        self.client = ErpClient(config)
        self.started = threading.Event()
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="example-erp", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            task = asyncio.create_task(self.client.run(self._stop))
            await asyncio.wait({task, asyncio.create_task(self.client.ready.wait())},
                               return_when=asyncio.FIRST_COMPLETED)
            self.started.set()
            await task

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported to the test, not lost in the thread
            self.error = exc
        finally:
            self.started.set()

    def __enter__(self) -> "ErpInThread":
        self._thread.start()
        assert self.started.wait(60), "the example ERP did not get its partitions within 60 s"
        if self.error or not self.client.ready.is_set():
            raise AssertionError(f"the example ERP stopped: {self.error!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

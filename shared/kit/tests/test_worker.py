"""The kit's draining worker: works off everything due, survives a failing pass, stops gracefully."""

import asyncio

from konnect_kit.worker import DrainingWorker


class ListWorker(DrainingWorker):
    name = "test-list-worker"

    def __init__(self, items: list[int], *, fail_first_pass: bool = False) -> None:
        super().__init__(poll_seconds=0.01)
        self.items, self.done, self.fail = items, [], fail_first_pass

    async def handle_next(self) -> bool:
        if self.fail:
            self.fail = False
            raise ConnectionError("database away for a moment")
        if not self.items:
            return False
        self.done.append(self.items.pop(0))
        return True


async def test_a_pass_works_off_everything_due_and_a_failing_pass_is_retried() -> None:
    worker = ListWorker([1, 2, 3], fail_first_pass=True)
    await worker.start()
    for _ in range(200):
        if worker.done == [1, 2, 3]:
            break
        await asyncio.sleep(0.01)
    worker.items.append(4)  # work arriving later is picked up by a later poll
    for _ in range(200):
        if worker.done == [1, 2, 3, 4]:
            break
        await asyncio.sleep(0.01)
    await worker.stop()
    assert worker.done == [1, 2, 3, 4]


async def test_stop_ends_the_loop_and_nothing_new_is_started() -> None:
    worker = ListWorker([])
    await worker.start()
    await worker.stop()
    worker.items.append(1)
    await asyncio.sleep(0.05)
    assert worker.done == [] and worker.stopping
    assert await worker.drain() == 0  # a stopped worker starts nothing new

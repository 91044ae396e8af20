"""Micro-batching of question embeddings: requests that arrive together share one model call."""

import asyncio

import numpy as np


class EmbeddingBatcher:
    """Embeds questions in a worker thread, several per model call.

    A call takes every question queued while the previous call ran (up to `max_batch`), and waits
    up to `window_ms` for more; with a window of 0 a lone question goes to the model at once. The
    model never runs on the event loop.
    """

    def __init__(self, embed, window_ms: float = 0.0, max_batch: int = 32):
        self._embed = embed  # list[str] -> np.ndarray
        self._window = window_ms / 1000
        self._max_batch = max_batch
        self._queue: asyncio.Queue | None = None
        self._worker: asyncio.Task | None = None
        self.batches = 0
        self.questions = 0

    async def embed(self, question: str) -> np.ndarray:
        if self._worker is None or self._worker.done():
            self._queue = asyncio.Queue()
            self._worker = asyncio.create_task(self._run())
        future = asyncio.get_running_loop().create_future()
        await self._queue.put((question, future))
        return await future

    async def _run(self):
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = loop.time() + self._window
            while len(batch) < self._max_batch:
                if not self._queue.empty():  # questions that queued while the model was busy
                    batch.append(self._queue.get_nowait())
                    continue
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except asyncio.TimeoutError:
                    break
            questions = [question for question, _ in batch]
            try:
                vectors = await asyncio.to_thread(self._embed, questions)
            except Exception as error:  # hand the failure to every waiting request
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            self.batches += 1
            self.questions += len(batch)
            for (_, future), vector in zip(batch, vectors):
                if not future.done():
                    future.set_result(vector)

    async def close(self):
        if self._worker is not None:
            self._worker.cancel()

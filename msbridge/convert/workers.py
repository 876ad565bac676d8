"""A small process pool that can always be stopped at once.

``concurrent.futures`` waits for running tasks on shutdown, and a second
Ctrl-C while it waits left the converter hanging. Here each worker serves one
job at a time over its own pipe, ignores SIGINT (the parent decides), and
writes nothing: results come back to the parent, which alone writes files. So
killing the workers at any moment loses only work in flight, never a file.
A worker that dies (a crash inside a parser) fails its one job and is replaced.
"""
from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator

POLL_S = 0.1      # how often the parent wakes up while waiting (Ctrl-C is seen at once anyway)
JOIN_S = 1.0      # how long a stopped worker gets before SIGKILL


def _serve(conn, func) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        conn.send(func(job))


class WorkerPool:
    """``jobs`` forked processes running ``func``; use as a context manager (workers always stopped)."""

    def __init__(self, jobs: int, func: Callable[[Any], Any], crashed: Callable[[Any, int | None], Any]):
        self.func, self.crashed = func, crashed
        self.context = multiprocessing.get_context("fork")
        self.workers: list[tuple[Any, Any]] = [self._start() for _ in range(jobs)]

    def _start(self):
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(child, self.func), daemon=True)
        process.start()
        child.close()
        return process, parent

    def imap_unordered(self, items: Iterable[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
        """(index, result) for each (index, job), as each job finishes."""
        pending = deque(items)
        busy: dict[Any, tuple[int, Any, Any]] = {}     # conn -> (index, job, process)
        idle = list(self.workers)
        while pending or busy:
            while idle and pending:
                process, conn = idle.pop()
                index, job = pending.popleft()
                conn.send(job)
                busy[conn] = (index, job, process)
            for conn in wait(list(busy), timeout=POLL_S):
                index, job, process = busy.pop(conn)
                try:
                    result = conn.recv()
                except (EOFError, OSError):
                    process.join(JOIN_S)
                    result = self.crashed(job, process.exitcode)
                    self.workers.remove((process, conn))
                    conn.close()
                    self.workers.append(self._start())
                    process, conn = self.workers[-1]
                idle.append((process, conn))
                yield index, result

    def stop(self) -> None:
        """End every worker now (SIGTERM, then SIGKILL); bounded time, never waits on a job."""
        for process, conn in self.workers:
            if process.is_alive():
                process.terminate()
        for process, conn in self.workers:
            process.join(JOIN_S)
            if process.is_alive():
                process.kill()
                process.join(JOIN_S)
            conn.close()
        self.workers = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

"""A one-line progress bar on stderr, shown only to a person at a terminal.

Redirected output (CI logs, pipes, tests) never sees carriage-return noise.
"""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, enabled: bool | None = None, stream=None, min_interval: float = 0.1):
        self.stream = stream or sys.stderr
        self.total = total
        self.enabled = (total > 1 and self.stream.isatty()) if enabled is None else enabled
        self.done = 0
        self.min_interval = min_interval
        self._last = 0.0

    def advance(self, label: str = "") -> None:
        self.done += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if self.done < self.total and now - self._last < self.min_interval:
            return
        self._last = now
        width = 30
        filled = width * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\rconverting [{bar}] {self.done}/{self.total} {label[-40:]:<40}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

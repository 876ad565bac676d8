"""Ctrl-C that never interrupts a write and never hangs.

The first SIGINT raises KeyboardInterrupt at once, unless a write is in
progress (then right after it, at ``check``); later SIGINTs are only counted,
so stopping (killing workers, writing the report) is never itself interrupted.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


class CtrlC:
    def __init__(self, exiting: bool = False):
        """``exiting``: the process ends (exit 130) once the block is left after a Ctrl-C, so a later
        SIGINT is ignored rather than given back to Python's default handler, which would kill the
        process by the signal (exit -2) while it shuts its worker pool down."""
        self.exiting = exiting
        self.requested = False
        self.raising = True        # False once the work is over: a late Ctrl-C only sets ``requested``
        self._deferring = 0
        self._depth = 0            # nested ``with``: only the outermost installs and restores the handler
        self._previous = None

    def __enter__(self):
        self._depth += 1
        if self._depth == 1 and threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc):
        self._depth -= 1
        if self._depth == 0 and self._previous is not None:
            signal.signal(signal.SIGINT, signal.SIG_IGN if self.exiting and self.requested else self._previous)
            self._previous = None

    def _handle(self, signum, frame):
        if self.requested:
            return
        self.requested = True
        if self.raising and not self._deferring:
            raise KeyboardInterrupt

    @contextmanager
    def defer(self):
        """A block no Ctrl-C interrupts (a write: its temporary file is renamed or removed)."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1

    def check(self) -> None:
        if self.requested and self.raising:
            raise KeyboardInterrupt

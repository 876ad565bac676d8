"""``msbridge convert --prefer native``: the target framework's own API where a row is only approximately equal.

By default an API whose row is ``approximate`` goes to msbridge's runtime twin
(MindSpore's ``nn.Adam`` becomes ``msbridge.mindspore.nn.Adam`` on torch:
the same floats, at the twin's speed). A user who prefers the target's own
kernel (torch's fused Adam) to bit-exactness says so with ``--prefer native``;
then such a row translates natively when its measured tolerance is within
the one the user accepts (``--accept-rtol``, default 1e-3), and the report
line states that tolerance. LR schedules keep their twins (their native
counterparts step per epoch, not per step), and so do rows listed in
``NEEDS_OTHER_INPUTS`` (the native API refuses what the source API takes).

The choice is process-wide (set once by the command before any file is
converted; forked workers inherit it), so the per-file pipeline is unchanged.
"""
from __future__ import annotations

from contextlib import contextmanager

EXACT, NATIVE = "exact", "native"
DEFAULT_RTOL = 1e-3

# row id -> why its native counterpart cannot take the source API's inputs
NEEDS_OTHER_INPUTS = {
    "optim.LazyAdam": "torch.optim.SparseAdam raises on dense gradients, which MindSpore's LazyAdam accepts",
}

# row id -> why the layer it builds must be msbridge's twin although the row is exact: the native layer computes the
# same, but is called otherwise than the source's (the calls of an attribute holding it are not rewritten)
CALLED_OTHERWISE = {
    "nn.MultiheadAttention": "MindSpore 2.10's MultiheadAttention reads query, key and value by position only "
                             "(attn(q, k, value=v) raises IndexError, measured) and returns (output,) without "
                             "weights: msbridge.torch.nn.MultiheadAttention takes torch's calls",
}

_state = {"prefer": EXACT, "rtol": DEFAULT_RTOL}


def configure(prefer: str = EXACT, rtol: float = DEFAULT_RTOL) -> None:
    if prefer not in (EXACT, NATIVE):
        raise ValueError(f"prefer must be {EXACT!r} or {NATIVE!r}, got {prefer!r}")
    if not 0 < rtol < 1:
        raise ValueError(f"the accepted rtol must be in (0, 1), got {rtol!r}")
    _state.update(prefer=prefer, rtol=rtol)


@contextmanager
def preferring(prefer: str, rtol: float = DEFAULT_RTOL):
    """``configure`` for a block (library use and tests), restoring the previous choice."""
    saved = dict(_state)
    configure(prefer, rtol)
    try:
        yield
    finally:
        _state.update(saved)


def native(row) -> bool:
    """The user prefers native speed and this approximate row's measured tolerance is one they accept."""
    return (_state["prefer"] == NATIVE and row.exactness == "approximate" and row.rtol is not None
            and row.rtol <= _state["rtol"] and row.id not in NEEDS_OTHER_INPUTS)


def called_otherwise(row, target: str) -> str | None:
    """Why ``row``'s native layer cannot take the source framework's calls (then its twin is written), or None."""
    return CALLED_OTHERWISE.get(row.id) if target == "mindspore" else None


def accepted(row) -> str:
    """The report text of a native translation taken on the user's word."""
    return (f"--prefer native: tolerance accepted rtol={row.rtol:g} (row {row.id!r}, {row.exactness}: "
            f"{row.exactness_reason})")


def short(row, target: str) -> str:
    """The mark on the converted line."""
    return f"--prefer native: {target} within the accepted rtol={row.rtol:g} ({row.exactness}, row {row.id!r})"

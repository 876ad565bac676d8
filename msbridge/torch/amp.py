"""torch.amp's ``autocast`` and ``GradScaler`` for a ported program on MindSpore.

``autocast``: a region torch may compute in float16/bfloat16. MindSpore sets precision per network
(``mindspore.amp.auto_mixed_precision``), not per region, and its CPU kernels differ, so this twin
runs the region in the precision it is written in. Disabled (``enabled=False``, as ported scripts
usually have it off the GPU) it is torch's no-op exactly; enabled, it warns at run time, and the
converter marks the line ``review``.

``GradScaler``: loss scaling in a converted step. The step's gradients come from the unscaled loss;
torch's come from the loss times a power of two, then divided by it, which gives the same float32
numbers unless an intermediate gradient overflows or underflows. ``step(optimizer, grads)``
skips the update when ``grads * scale`` is not finite, and ``update()`` grows or backs off the
scale as torch's does, so the scale and the skipped steps follow torch's on the same gradients.
"""
from __future__ import annotations

import warnings

import mindspore
from mindspore import ops


class autocast:
    def __init__(self, device_type="cuda", dtype=None, enabled=True, cache_enabled=None):
        self.device_type, self.dtype, self.enabled = device_type, dtype, enabled

    def __enter__(self):
        if self.enabled:
            warnings.warn("msbridge.torch.amp.autocast: MindSpore computes this region in its written precision, "
                          "not torch's autocast precision; use mindspore.amp.auto_mixed_precision on the network",
                          UserWarning, stacklevel=2)
        return self

    def __exit__(self, *exc):
        return None

    def __call__(self, func):
        def wrapper(*args, **kwargs):
            with autocast(self.device_type, self.dtype, self.enabled):
                return func(*args, **kwargs)
        return wrapper


class GradScaler:
    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        if growth_factor <= 1.0:
            raise ValueError("The growth factor must be > 1.0.")
        if backoff_factor >= 1.0:
            raise ValueError("The backoff factor must be < 1.0.")
        self._scale, self._growth_factor, self._backoff_factor = float(init_scale), growth_factor, backoff_factor
        self._growth_interval, self._enabled, self._growth_tracker = growth_interval, enabled, 0
        self._found_inf = None

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        return self._scale if self._enabled else 1.0

    def scale(self, outputs):
        """The loss times the scale (what torch's ``scaler.scale(loss)`` returns, for logging)."""
        return outputs * self._scale if self._enabled else outputs

    def unscale_(self, optimizer) -> None:
        """The converted step's gradients are already unscaled."""

    def step(self, optimizer, grads):
        """``optimizer(grads)`` unless the scaled gradients are not finite (then the step is skipped)."""
        if not self._enabled:
            return optimizer(grads)
        finite = all(bool(ops.isfinite(g.astype(mindspore.float32) * self._scale).all()) for g in grads)
        self._found_inf = not finite
        return optimizer(grads) if finite else None

    def update(self, new_scale=None) -> None:
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale)
        elif self._found_inf:
            self._scale *= self._backoff_factor
            self._growth_tracker = 0
        elif self._found_inf is not None:
            self._growth_tracker += 1
            if self._growth_tracker == self._growth_interval:
                self._scale *= self._growth_factor
                self._growth_tracker = 0
        self._found_inf = None

    def state_dict(self) -> dict:
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self._growth_factor, "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval, "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict) -> None:
        self._scale = float(state_dict["scale"])
        self._growth_factor, self._backoff_factor = state_dict["growth_factor"], state_dict["backoff_factor"]
        self._growth_interval, self._growth_tracker = state_dict["growth_interval"], state_dict["_growth_tracker"]

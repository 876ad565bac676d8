"""``FixedLossScaleManager`` / ``DynamicLossScaleManager`` for ``Model``, as MindSpore 2.10 runs them on CPU.

MindSpore's CPU build supports only ``FixedLossScaleManager(drop_overflow_update=False)``:
the loss's gradient is seeded with ``loss_scale`` (gradients come out scaled)
and the optimizer's own ``loss_scale`` divides them back. That is what
``Model`` does here. The managers that need overflow checks
(``drop_overflow_update=True``, ``DynamicLossScaleManager``) are refused
with MindSpore's CPU error; on torch, use ``torch.amp.GradScaler`` in an
explicit loop for them.
"""


class LossScaleManager:
    """Base class: ``get_loss_scale``, ``update_loss_scale``, ``get_update_cell``."""

    def get_loss_scale(self):
        raise NotImplementedError

    def update_loss_scale(self, overflow):
        raise NotImplementedError

    def get_update_cell(self):
        raise NotImplementedError


class FixedLossScaleManager(LossScaleManager):
    """A constant scale; with ``drop_overflow_update=False`` the update always runs."""

    def __init__(self, loss_scale=128.0, drop_overflow_update=True):
        if loss_scale < 1:
            raise ValueError("The argument 'loss_scale' must be >= 1, but got {}".format(loss_scale))
        self._loss_scale = loss_scale
        self._drop_overflow_update = drop_overflow_update

    def get_loss_scale(self):
        return self._loss_scale

    def get_drop_overflow_update(self):
        return self._drop_overflow_update

    def update_loss_scale(self, overflow):
        """A fixed scale never changes."""

    def get_update_cell(self):
        """``None`` when no overflow check is needed; otherwise a marker (MindSpore: an update Cell)."""
        return None if not self._drop_overflow_update else ("fixed", self._loss_scale)


class DynamicLossScaleManager(LossScaleManager):
    """A scale that grows every ``scale_window`` clean steps and shrinks on overflow (needs overflow checks)."""

    def __init__(self, init_loss_scale=2 ** 24, scale_factor=2, scale_window=2000):
        if init_loss_scale < 1.0:
            raise ValueError("The argument 'init_loss_scale' must be > 1, but got {}".format(init_loss_scale))
        if scale_factor <= 1:
            raise ValueError("The argument 'scale_factor' must be > 1, but got {}".format(scale_factor))
        self.loss_scale = init_loss_scale
        self.scale_factor = scale_factor
        self.scale_window = scale_window

    def get_loss_scale(self):
        return self.loss_scale

    def get_drop_overflow_update(self):
        return True

    def update_loss_scale(self, overflow):
        raise NotImplementedError("msbridge: DynamicLossScaleManager runs only with overflow checks, which "
                                  "Model does not implement (MindSpore's CPU build refuses it too).")

    def get_update_cell(self):
        return ("dynamic", self.loss_scale)

"""MindSpore's callback protocol: ``Callback``, ``RunContext`` and the parameters it carries.

The ``on_train_*``/``on_eval_*`` hooks fall back to the old names (``begin``,
``epoch_begin``, ``step_begin``, ``step_end``, ``epoch_end``, ``end``) exactly
as in MindSpore 2.10, so user subclasses written either way are called at the
same points.
"""
from collections.abc import Iterable


class InternalCallbackParam(dict):
    """``run_context.original_args()``: a dict whose keys are also attributes."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise KeyError(key) from None

    def __setattr__(self, key, value):
        self[key] = value


class RunContext:
    """Carries the model's state to callbacks; ``request_stop()`` ends training after the current step."""

    def __init__(self, original_args):
        if not isinstance(original_args, dict):
            raise TypeError("The argument 'original_args' of RunContext should be dict type, "
                            "but got {}.".format(type(original_args)))
        self._original_args = original_args
        self._stop_requested = False

    def original_args(self):
        return self._original_args

    def request_stop(self):
        self._stop_requested = True

    def get_stop_requested(self):
        return self._stop_requested


class Callback:
    """Base class: override the hooks you need."""

    def __enter__(self):
        return self

    def __exit__(self, *err):
        pass

    def begin(self, run_context):
        pass

    def epoch_begin(self, run_context):
        pass

    def epoch_end(self, run_context):
        pass

    def step_begin(self, run_context):
        pass

    def step_end(self, run_context):
        pass

    def end(self, run_context):
        pass

    def on_train_begin(self, run_context):
        self.begin(run_context)

    def on_train_epoch_begin(self, run_context):
        self.epoch_begin(run_context)

    def on_train_epoch_end(self, run_context):
        self.epoch_end(run_context)

    def on_train_step_begin(self, run_context):
        self.step_begin(run_context)

    def on_train_step_end(self, run_context):
        self.step_end(run_context)

    def on_train_end(self, run_context):
        self.end(run_context)

    def on_eval_begin(self, run_context):
        self.begin(run_context)

    def on_eval_epoch_begin(self, run_context):
        self.epoch_begin(run_context)

    def on_eval_epoch_end(self, run_context):
        self.epoch_end(run_context)

    def on_eval_step_begin(self, run_context):
        self.step_begin(run_context)

    def on_eval_step_end(self, run_context):
        self.step_end(run_context)

    def on_eval_end(self, run_context):
        self.end(run_context)


class CallbackList:
    """Calls one hook on every callback in order (MindSpore's ``_CallbackManager``)."""

    def __init__(self, callbacks):
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise TypeError("When the 'callbacks' is a list, the elements in 'callbacks' must be Callback "
                                "functions.")
        self.callbacks = list(callbacks)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def call(run_context):
            for cb in self.callbacks:
                getattr(cb, hook)(run_context)
        return call


def as_callback_list(callbacks):
    """``None`` / one callback / an iterable of them -> ``list``."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Iterable):
        return list(callbacks)
    return [callbacks]


_MOVED = {"LossMonitor": "monitors", "TimeMonitor": "monitors", "ModelCheckpoint": "checkpoint",
          "CheckpointConfig": "checkpoint"}


def __getattr__(name):
    """``from mindspore.train.callback import LossMonitor, ModelCheckpoint`` (older scripts' import path)."""
    if name in _MOVED:
        import importlib
        return getattr(importlib.import_module(f"msbridge.mindspore.train.{_MOVED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

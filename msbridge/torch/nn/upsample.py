"""``torch.nn.Upsample(scale_factor=...)`` on MindSpore.

MindSpore 2.10's Upsample/interpolate refuses scale_factor for 4-D inputs (measured), so this twin
resizes to torch's output size, floor(size * scale_factor) per axis. torch maps output to input
coordinates by the scale factor; MindSpore by the size ratio: the two grids are the same when
size * scale_factor is a whole number (always for integer factors), and the twin refuses the rest
rather than compute on another grid. ``size=`` calls translate to MindSpore's own Upsample. Arguments and
inputs are checked as torch checks them, when torch checks them (mode, sizes and ranks when called), with
torch's exception types.
"""
from __future__ import annotations

import math

import mindspore
from mindspore import ops

from msbridge.torch.nn.layer_checks import floating_input

# measured on MindSpore 2.10 / torch 2.13 (tests/convert/test_convert_bicubic.py): the converter marks such calls review
BICUBIC = ("msbridge: MindSpore 2.10's bicubic interpolation is another kernel than torch's (measured 0.28 apart with "
           "align_corners=False, 1.7e-3 with True): no MindSpore counterpart")


def output_size(x, scale_factor, recompute_scale_factor=None) -> tuple[int, ...]:
    """torch's output size for ``scale_factor``: floor(size * factor) per spatial axis (refusing other grids)."""
    spatial = tuple(x.shape[2:])
    factors = scale_factor if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * len(spatial)
    if len(factors) != len(spatial):
        raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got "
                         f"input with spatial dimensions of {list(spatial)} and scale_factor of shape {factors}.")
    out = []
    for n, factor in zip(spatial, factors):
        if factor <= 0:
            raise RuntimeError(f"Input and output sizes should be greater than 0, but got input {tuple(spatial)} and "
                               f"scale_factor {factor}")
        product = n * float(factor)
        if product != math.floor(product) and not recompute_scale_factor:
            raise NotImplementedError(f"msbridge's Upsample: size {n} * scale_factor {factor} is not a whole number; "
                                      "torch then interpolates on a grid MindSpore cannot express: pass size=")
        out.append(int(math.floor(product)))
    return tuple(out)


_MODES = {"nearest": None, "linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5, "area": None,
          "nearest-exact": None}   # the input rank a mode needs (None: 3 to 5), as torch's interpolate checks it


def _check_mode(x, mode) -> None:
    """torch's interpolate: NotImplementedError for an unknown mode or a rank the mode does not take."""
    if mode in _MODES and _MODES[mode] is not None and 3 <= x.ndim <= 5 and x.ndim != _MODES[mode]:
        raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs {_MODES[mode]}D input")
    if mode not in _MODES or not 3 <= x.ndim <= 5:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the "
                                  f"modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
                                  f"nearest-exact (got {mode})")


class Upsample(mindspore.nn.Cell):
    """Upsampling with torch's signature: size or scale_factor, mode, align_corners."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None):
        super().__init__()
        # torch's: a tuple of floats, or one float (a list is float()'s TypeError), 0 as None
        scale_factor = (tuple(float(f) for f in scale_factor) if isinstance(scale_factor, tuple) else
                        float(scale_factor) if scale_factor else None)
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def _size(self, x) -> tuple[int, ...]:
        return output_size(x, self.scale_factor, self.recompute_scale_factor)

    def construct(self, x):
        if (self.size is None) == (self.scale_factor is None):   # torch checks when called, not when built
            raise ValueError("either size or scale_factor should be defined" if self.size is None else
                             "only one of size or scale_factor should be defined")
        if self.mode in ("nearest", "area", "nearest-exact") and self.align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
        _check_mode(x, self.mode)
        if self.mode == "bicubic":
            raise NotImplementedError(BICUBIC)
        size = self.size if self.size is not None else self._size(x)
        if any(n <= 0 for n in (size if isinstance(size, (tuple, list)) else (size,))):
            raise RuntimeError(f"Input and output sizes should be greater than 0, but got input {tuple(x.shape[2:])} "
                               f"and output {size}")
        floating_input(x, f"upsample_{self.mode}")
        return ops.interpolate(x, size=size, mode=self.mode, align_corners=self.align_corners)

    def extend_repr(self):
        return f"size={self.size}, scale_factor={self.scale_factor}, mode={self.mode!r}"

"""``mindspore.dataset.vision``'s common per-image operations on numpy (MindSpore 2.10's numbers).

torchvision is not usable here (its only wheel for torch 2.13 is a CUDA build that does not import
with the CPU torch; see the README), so converted pipelines keep MindSpore's operations, computed on
numpy inside msbridge's dataset ``map``. Checked against ``mindspore.dataset.vision`` in the tests.
Not here: resizing and cropping with interpolation (``Resize``, ``RandomResizedCrop``...).
"""
import numpy as np


def _channels_check(image, count, is_hwc, name):
    channels = image.shape[-1] if is_hwc else image.shape[0]
    if image.ndim != 3 or count not in (1, channels):
        raise RuntimeError(f"msbridge: {name}: the image has shape {image.shape}, but mean and std have {count} "
                           f"values (one per channel, or one for all).")


class Normalize:
    """``(image - mean) / std`` per channel, float32; channels last unless ``is_hwc=False``."""

    def __init__(self, mean, std, is_hwc=True):
        if len(mean) != len(std):
            raise ValueError("Normalize: Length of mean and std must be equal.")
        if any(s <= 0 for s in std):
            raise ValueError("Input std is not within the required interval of (0, 255].")
        self.mean, self.std, self.is_hwc = np.float32(mean), np.float32(std), is_hwc

    def __call__(self, image):
        image = np.asarray(image)
        _channels_check(image, len(self.mean), self.is_hwc, "Normalize")
        shape = (1, 1, -1) if self.is_hwc else (-1, 1, 1)
        out = (image.astype(np.float32) - self.mean.reshape(shape)) / self.std.reshape(shape)
        return out.astype(np.float32)


class HWC2CHW:
    """Channels last to channels first (a 2-D image gets one channel)."""

    def __call__(self, image):
        image = np.asarray(image)
        if image.ndim == 2:
            return image[np.newaxis].copy()
        if image.ndim != 3:
            raise RuntimeError(f"HWC2CHW: image shape should be <H,W> or <H,W,C>, but got rank {image.ndim}.")
        return np.ascontiguousarray(image.transpose(2, 0, 1))


class Rescale:
    """``image * rescale + shift`` with float32 factors, rounded once to float32 (a fused multiply-add, as
    MindSpore's kernel computes it: bit-identical, where two float32 roundings are not)."""

    def __init__(self, rescale, shift):
        self.rescale, self.shift = np.float32(rescale), np.float32(shift)

    def __call__(self, image):
        return (np.asarray(image).astype(np.float64) * self.rescale + self.shift).astype(np.float32)


class ToTensor:
    """An HWC image in [0, 255] to a CHW ``output_type`` image in [0, 1]."""

    def __init__(self, output_type=np.float32):
        from msbridge.mindspore.dataset.transforms import numpy_dtype
        self.output_type = numpy_dtype(output_type)

    def __call__(self, image):
        image = np.asarray(image)
        if image.ndim == 2:
            image = image[:, :, np.newaxis]
        # MindSpore multiplies by float32(1/255) (bit-identical; dividing by 255 is not)
        return (image.astype(np.float32) * np.float32(1 / 255.0)).transpose(2, 0, 1).astype(self.output_type)

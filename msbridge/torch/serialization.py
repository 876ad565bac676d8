"""torch's ``save``/``load`` on MindSpore, in torch's own file format, without torch.

A converted script that saves a checkpoint dictionary (``{"net": net.state_dict(), "epoch": e}``)
writes the zip archive torch writes (``data.pkl`` at pickle protocol 2, one ``data/<key>`` record of
raw little-endian bytes per tensor), so real torch reads the file and the converted script reads
files torch wrote. Tensors are MindSpore tensors on this side: saved as plain tensors (torch's
``state_dict()`` holds detached tensors) and loaded as ``mindspore.Tensor``.

Loading is torch 2.13's default ``weights_only=True``: only tensors, containers, numbers, strings and
``OrderedDict`` are rebuilt; any other global in the file is refused with ``pickle.UnpicklingError``, as
torch refuses it. Nothing else is ever unpickled. ``map_location`` is accepted and has no effect:
MindSpore places tensors by process. A path holding a MindSpore ``.ckpt``/``.safetensors`` file (a
converted script's own ``save_checkpoint``) is read by content, as ``{name: Parameter}``.
"""
from __future__ import annotations

import collections
import io
import os
import pickle
import zipfile

import numpy as np

_STORAGES = {"FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16",
             "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32",
             "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8", "BoolStorage": "bool"}
_STORAGE_OF = {dtype: name for name, dtype in _STORAGES.items()}
_NUMPY = {"bfloat16": np.uint16}   # raw bits; numpy has no bfloat16


class _TorchGlobal:
    """A torch name written into the pickle as a GLOBAL without importing torch."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):   # save_reduce requires a callable
        raise TypeError(f"{self.module}.{self.name} is only written to a file")


_REBUILD = _TorchGlobal("torch._utils", "_rebuild_tensor_v2")


class _Storage:
    def __init__(self, key: str, dtype: str, data: bytes, numel: int):
        self.key, self.dtype, self.data, self.numel = key, dtype, data, numel


def _tensor_bytes(tensor) -> tuple[str, bytes, tuple[int, ...]]:
    import mindspore

    dtype = str(tensor.dtype).lower()
    dtype = {"float": "float32", "double": "float64", "half": "float16", "long": "int64", "int": "int32"}.get(dtype, dtype)
    if dtype not in _STORAGE_OF:
        raise TypeError(f"msbridge.torch.save: tensors of dtype {tensor.dtype} are not written")
    if dtype == "bfloat16":   # exact: every bfloat16 is a float32 whose low 16 bits are zero
        bits = tensor.astype(mindspore.float32).asnumpy().astype("<f4").view("<u4") >> 16
        array = bits.astype("<u2")
    else:
        array = tensor.asnumpy().astype(np.dtype(dtype).newbyteorder("<"), copy=False)
    return dtype, np.ascontiguousarray(array).tobytes(), tuple(int(d) for d in tensor.shape)


def _is_torch_tensor(obj) -> bool:
    """A torch tensor (optimizer twins' state where torch is installed), told by type, without importing torch."""
    return any(k.__module__ == "torch" and k.__name__ == "Tensor" for k in type(obj).__mro__)


class _Pickler(pickle._Pickler):
    """Protocol-2 pickler writing MindSpore tensors as torch's ``_rebuild_tensor_v2`` records."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self.storages: list[_Storage] = []

    def save_torch_global(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    dispatch[_TorchGlobal] = save_torch_global

    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ("storage", _TorchGlobal("torch", _STORAGE_OF[obj.dtype]), obj.key, "cpu", obj.numel)
        return None

    def reducer_override(self, obj):
        import mindspore

        if _is_torch_tensor(obj):   # a torch tensor in a program run beside torch: written as torch writes it
            obj = mindspore.Tensor(obj.detach().cpu().numpy())
        if isinstance(obj, mindspore.Tensor):
            dtype, data, shape = _tensor_bytes(obj)
            numel = int(np.prod(shape)) if shape else 1
            storage = _Storage(str(len(self.storages)), dtype, data, numel)
            self.storages.append(storage)
            stride, step = [], 1
            for size in reversed(shape):
                stride.insert(0, step)
                step *= size
            return _REBUILD, (storage, 0, shape, tuple(stride), False, collections.OrderedDict())
        return NotImplemented


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False) -> None:
    """``torch.save(obj, f)``: ``f`` a path or a writable binary file object."""
    if pickle_module is not None or pickle_protocol != 2:
        raise ValueError("msbridge.torch.save writes torch's default format only (pickle protocol 2)")
    buffer = io.BytesIO()
    pickler = _Pickler(buffer)
    pickler.dump(obj)
    name = "archive" if not isinstance(f, (str, os.PathLike)) else \
        (os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive")
    target = open(f, "wb") if isinstance(f, (str, os.PathLike)) else f
    try:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(f"{name}/data.pkl", buffer.getvalue())
            archive.writestr(f"{name}/.format_version", "1")
            archive.writestr(f"{name}/.storage_alignment", "64")
            archive.writestr(f"{name}/byteorder", "little")
            for storage in pickler.storages:
                archive.writestr(f"{name}/data/{storage.key}", storage.data)
            archive.writestr(f"{name}/version", "3\n")
    finally:
        if target is not f:
            target.close()


class _Unpickler(pickle.Unpickler):
    """torch's weights-only subset: anything else is refused."""

    def __init__(self, file, archive: zipfile.ZipFile, prefix: str):
        super().__init__(file)
        self.archive, self.prefix, self.cache = archive, prefix, {}

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if (module, name) == ("torch._utils", "_rebuild_parameter"):
            return _rebuild_parameter
        if module == "torch" and name in _STORAGES:
            return _STORAGES[name]
        if (module, name) == ("torch", "Size"):
            return tuple
        if (module, name) == ("_codecs", "encode"):   # bytes at protocol 2
            import codecs
            return codecs.encode
        if (module, name) in (("builtins", "set"), ("builtins", "frozenset"), ("builtins", "complex"),
                              ("builtins", "slice"), ("builtins", "bytearray")):
            import builtins
            return getattr(builtins, name)
        raise pickle.UnpicklingError(f"Weights only load failed: Unsupported global: GLOBAL {module}.{name} "
                                     "(msbridge.torch.load rebuilds tensors and plain containers only)")

    def persistent_load(self, pid):
        kind, dtype, key, _location, numel = pid
        if kind != "storage":
            raise pickle.UnpicklingError(f"unsupported persistent id {kind!r}")
        if key not in self.cache:
            raw = self.archive.read(f"{self.prefix}data/{key}")
            array = np.frombuffer(raw, dtype=np.dtype(_NUMPY.get(dtype, dtype)).newbyteorder("<"))
            self.cache[key] = (dtype, array)
        return self.cache[key]


def _rebuild_tensor(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None):
    import mindspore

    dtype, array = storage
    size, stride = tuple(size), tuple(stride)
    itemsize = array.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(array[storage_offset:], shape=size,
                                           strides=tuple(s * itemsize for s in stride)) if size else \
        array[storage_offset:storage_offset + 1].reshape(())
    values = np.array(view, dtype=view.dtype.newbyteorder("="))
    if dtype == "bfloat16":
        widened = (values.astype(np.uint32) << 16).view(np.float32)
        return mindspore.Tensor(widened).astype(mindspore.bfloat16)
    return mindspore.Tensor(values)


def _rebuild_parameter(data, requires_grad, backward_hooks, *state):
    import mindspore

    return mindspore.Parameter(data, requires_grad=requires_grad)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """``torch.load(f)`` with torch's default ``weights_only=True``; MindSpore tensors come back."""
    if weights_only is False or pickle_module is not None:
        raise pickle.UnpicklingError("msbridge.torch.load rebuilds tensors and plain containers only "
                                     "(torch's weights_only=True)")
    source = open(f, "rb") if isinstance(f, (str, os.PathLike)) else f
    try:
        if not zipfile.is_zipfile(source):
            if source is not f:   # a MindSpore checkpoint (this script's own save_checkpoint): read by content
                from msbridge.bridge.checkpoint_io import sniff
                from msbridge.bridge.checkpoint_script import load_mindspore_checkpoint

                source.seek(0)
                if sniff(source.read(16)) in ("mindspore", "safetensors"):
                    return load_mindspore_checkpoint(f)
            raise RuntimeError("msbridge.torch.load reads torch's zip format (torch >= 1.6); this file is not one")
        source.seek(0)
        with zipfile.ZipFile(source) as archive:
            pkl = next((n for n in archive.namelist() if n.endswith("data.pkl") and n.count("/") == 1), None)
            if pkl is None:
                raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
            prefix = pkl[:-len("data.pkl")]
            return _Unpickler(io.BytesIO(archive.read(pkl)), archive, prefix).load()
    finally:
        if source is not f:
            source.close()

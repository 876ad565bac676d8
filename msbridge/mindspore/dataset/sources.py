"""The two sources converted scripts use most: ``NumpySlicesDataset`` and ``GeneratorDataset``.

Values become numpy arrays the way MindSpore 2.10 converts them (``np.array``
of each element: Python ``int`` -> int64, ``float`` -> float64; numpy arrays
keep their dtype). Both default to ``shuffle=True`` for random-access data, as
in MindSpore; the order then comes from our generator (see ``rng``), not
MindSpore's, so pass ``shuffle=False`` where the order must match.
``num_shards``/``shard_id`` (random-access sources) give each shard the rows
MindSpore's ``DistributedSampler`` gives it: every ``num_shards``-th row from
``shard_id``, wrapping around so all shards have ``ceil(n / num_shards)`` rows.
"""
import numpy as np

from msbridge.mindspore.dataset.pipeline import Dataset

_STATE = {"rng": np.random.default_rng()}


def rng():
    """The generator that orders shuffled datasets (reseeded by ``msbridge.mindspore.set_seed``)."""
    return _STATE["rng"]


def seed(value):
    _STATE["rng"] = np.random.default_rng(value)


def _unsupported(name, **given):
    used = [key for key, value in given.items() if value is not None]
    if used:
        raise NotImplementedError(f"msbridge: {name}({', '.join(used)}=...) is not supported yet; "
                                  f"shard or sample the source before wrapping it.")


def _row(item):
    values = item if isinstance(item, tuple) else (item,)
    return [np.array(v) for v in values]


class _Source(Dataset):
    def __init__(self, name, shuffle, num_samples, sampler, num_shards, shard_id):
        _unsupported(name, sampler=sampler)
        if (num_shards is None) != (shard_id is None):
            raise ValueError("num_shards and shard_id need to be passed in together.")
        if num_shards is not None:
            if not isinstance(num_shards, int) or num_shards <= 0:
                raise ValueError(f"num_shards {num_shards} is not within the required interval of [1, 2147483647].")
            if not isinstance(shard_id, int) or shard_id < 0:
                raise ValueError(f"shard_id {shard_id} is not within the required interval of [0, 2147483647].")
            if shard_id >= num_shards:
                raise ValueError("shard_id should be less than num_shards.")
        self.num_shards, self.shard_id = num_shards, shard_id
        if num_samples is not None and (not isinstance(num_samples, int) or num_samples < 0):
            raise ValueError(f"num_samples exceeds the boundary between 0 and 9223372036854775807(INT64_MAX)!, "
                             f"but got {num_samples}")
        self.shuffle_flag = True if shuffle is None else bool(shuffle)
        self.num_samples = num_samples or None

    def _order(self, length):
        order = rng().permutation(length) if self.shuffle_flag else np.arange(length)
        if self.num_shards:  # MindSpore's DistributedSampler: every num_shards-th row, wrapping to equal sizes
            per_shard = -(-length // self.num_shards)
            order = order[[(self.shard_id + k * self.num_shards) % length for k in range(per_shard)]]
        return order[:self.num_samples] if self.num_samples else order

    def _random_access_size(self, length):
        if self.num_shards:
            length = -(-length // self.num_shards)
        return min(length, self.num_samples) if self.num_samples else length


class NumpySlicesDataset(_Source):
    """Rows are slices of ``data`` along its first axis: a list/array (one column), a tuple (one column per
    item) or a dict (its keys name the columns)."""

    def __init__(self, data, column_names=None, num_samples=None, num_parallel_workers=1, shuffle=None,
                 sampler=None, num_shards=None, shard_id=None):
        super().__init__("NumpySlicesDataset", shuffle, num_samples, sampler, num_shards, shard_id)
        if isinstance(data, dict):
            names, columns = list(data.keys()), list(data.values())
        elif isinstance(data, tuple):
            names, columns = [f"column_{i}" for i in range(len(data))], list(data)
        else:
            names, columns = ["column_0"], [data]
        if column_names is not None:
            column_names = [column_names] if isinstance(column_names, str) else list(column_names)
            if len(column_names) != len(columns):
                raise ValueError(f"The number of column_names {len(column_names)} does not match the number of "
                                 f"columns in data {len(columns)}.")
            names = column_names
        lengths = {len(c) for c in columns}
        if len(lengths) != 1:
            raise ValueError(f"Columns of data must have the same length (first dimension), but got {lengths}.")
        self.column_names = names
        self._columns = columns
        self._length = lengths.pop()

    def _rows(self):
        for i in self._order(self._length):
            yield [np.array(column[int(i)]) for column in self._columns]

    def _size(self):
        return self._random_access_size(self._length)


class GeneratorDataset(_Source):
    """Rows from a random-access source (``__getitem__`` + ``__len__``), an iterable, or a callable returning
    a generator. Each item is a tuple (one value per column) or a single value."""

    def __init__(self, source, column_names=None, column_types=None, schema=None, num_samples=None,
                 num_parallel_workers=1, shuffle=None, sampler=None, num_shards=None, shard_id=None,
                 python_multiprocessing=True, max_rowsize=None):
        super().__init__("GeneratorDataset", shuffle, num_samples, sampler, num_shards, shard_id)
        if column_names is None:
            raise ValueError("msbridge: GeneratorDataset needs column_names (MindSpore: schema or column_names "
                             "must be provided).")
        self.column_names = [column_names] if isinstance(column_names, str) else list(column_names)
        self.source = source
        self._random_access = hasattr(source, "__getitem__") and hasattr(source, "__len__")
        if not self._random_access and not (callable(source) or hasattr(source, "__iter__")):
            raise TypeError("Input `source` function of GeneratorDataset should be callable, iterable or random "
                            f"accessible, but got {type(source)}.")

    def _items(self):
        if self._random_access:
            for i in self._order(len(self.source)):
                yield self.source[int(i)]
            return
        items = self.source() if callable(self.source) and not hasattr(self.source, "__iter__") else self.source
        if self.num_shards:
            raise NotImplementedError("msbridge: num_shards/shard_id need a random-access source "
                                      "(__getitem__ and __len__).")
        for count, item in enumerate(items):  # a generator keeps its own order: shuffle does not apply
            if self.num_samples and count >= self.num_samples:
                return
            yield item

    def _rows(self):
        for item in self._items():
            row = _row(item)
            if len(row) != len(self.column_names):
                raise RuntimeError(f"the source of GeneratorDataset returned {len(row)} columns, but "
                                   f"column_names has {len(self.column_names)}: {self.column_names}.")
            yield row

    def _size(self):
        if self._random_access:
            return self._random_access_size(len(self.source))
        return sum(1 for _ in self._items())

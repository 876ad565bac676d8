"""The dataset pipeline: a node yields rows (lists of numpy arrays, one per column).

``batch``/``map``/``repeat``/``shuffle`` wrap a node in a new node; the
iterators convert each row to torch tensors at the end (``output_numpy=True``
keeps numpy), like MindSpore converting to ``mindspore.Tensor``.
"""
import numpy as np


def _as_list(value):
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


class Dataset:
    """Base of every node: subclasses set ``column_names`` and implement ``_rows()`` and ``_size()``."""

    column_names = ()

    # ----- MindSpore's operations ----------------------------------------------------------------
    def batch(self, batch_size, drop_remainder=False, num_parallel_workers=None, **kwargs):
        """Stack ``batch_size`` consecutive rows column by column (``np.stack``); the last short batch stays
        unless ``drop_remainder``."""
        if kwargs.get("per_batch_map") is not None:
            raise NotImplementedError("msbridge: batch(per_batch_map=...) is not supported; apply the function "
                                      "with .map after batching")
        return _Batch(self, batch_size, drop_remainder)

    def map(self, operations=None, input_columns=None, output_columns=None, num_parallel_workers=None, **kwargs):
        """Apply Python callables (one or a list, in order) to ``input_columns`` (default: the first column)."""
        return _Map(self, operations, _as_list(input_columns), _as_list(output_columns))

    def repeat(self, count=None):
        """The whole pipeline ``count`` times (``None`` or ``-1``: forever)."""
        return _Repeat(self, count)

    def take(self, count=-1):
        """The first ``count`` rows (``-1``: all)."""
        return _Slice(self, 0, None if count == -1 else count)

    def skip(self, count):
        """All rows after the first ``count``."""
        return _Slice(self, count, None)

    def rename(self, input_columns, output_columns):
        """Rename columns (values and order unchanged)."""
        return _Columns(self, _as_list(input_columns), _as_list(output_columns), None)

    def project(self, columns):
        """Keep ``columns``, in that order."""
        return _Columns(self, None, None, _as_list(columns))

    def shuffle(self, buffer_size):
        """A random order (not MindSpore's: its buffer shuffle draws from its own seeded generator)."""
        if not isinstance(buffer_size, int) or buffer_size <= 1:
            raise ValueError(f"Input buffer_size is not within the required interval of [2, 2147483647], "
                             f"but got {buffer_size}.")
        return _Shuffle(self, buffer_size)

    def get_col_names(self):
        return list(self.column_names)

    def get_dataset_size(self):
        """Number of rows (batches after ``batch``) in one pass."""
        return self._size()

    def get_batch_size(self):
        return 1

    def reset(self):
        """MindSpore rewinds after each epoch; every iterator here starts from the beginning anyway."""

    # ----- iteration -----------------------------------------------------------------------------
    def create_tuple_iterator(self, columns=None, num_epochs=-1, output_numpy=False, do_copy=True):
        """Rows as lists (torch tensors, or numpy arrays with ``output_numpy=True``)."""
        index = self._column_indexes(columns)
        for row in self._rows():
            yield [_convert(row[i], output_numpy) for i in index]

    def create_dict_iterator(self, num_epochs=-1, output_numpy=False, do_copy=True):
        """Rows as ``{column_name: value}`` dicts."""
        for row in self._rows():
            yield {name: _convert(value, output_numpy) for name, value in zip(self.column_names, row)}

    def __iter__(self):
        return self.create_tuple_iterator()

    def _column_indexes(self, columns):
        if columns is None:
            return list(range(len(self.column_names)))
        names = list(self.column_names)
        missing = [c for c in _as_list(columns) if c not in names]
        if missing:
            raise ValueError(f"Invalid column names: {missing}, the dataset has the columns {names}.")
        return [names.index(c) for c in _as_list(columns)]

    def _rows(self):
        raise NotImplementedError

    def _size(self):
        raise NotImplementedError


def _convert(value, output_numpy):
    if output_numpy:
        return value
    import torch  # the pipeline itself is numpy; torch only at the exit
    return torch.from_numpy(np.array(value, copy=True))


class _Batch(Dataset):
    def __init__(self, child, batch_size, drop_remainder):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool):
            raise TypeError(f"Argument batch_size with value {batch_size} is not of type [<class 'int'>], "
                            f"but got {type(batch_size)}.")
        if batch_size <= 0:
            raise ValueError(f"Input batch_size is not within the required interval of [1, 2147483647], "
                             f"but got {batch_size}.")
        self.child, self.batch_size, self.drop_remainder = child, batch_size, bool(drop_remainder)
        self.column_names = child.column_names

    def _rows(self):
        pending = []
        for row in self.child._rows():
            pending.append(row)
            if len(pending) == self.batch_size:
                yield _stack(pending)
                pending = []
        if pending and not self.drop_remainder:
            yield _stack(pending)

    def _size(self):
        full, rest = divmod(self.child._size(), self.batch_size)
        return full + (1 if rest and not self.drop_remainder else 0)

    def get_batch_size(self):
        return self.batch_size


def _stack(rows):
    return [np.stack([row[i] for row in rows]) for i in range(len(rows[0]))]


class _Map(Dataset):
    def __init__(self, child, operations, input_columns, output_columns):
        operations = operations if isinstance(operations, (list, tuple)) else [operations]
        if not operations or not all(callable(op) for op in operations):
            raise TypeError("msbridge: map(operations=...) takes a callable or a list of callables.")
        self.child, self.operations = child, list(operations)
        names = list(child.column_names)
        self.input_columns = input_columns or names[:1]
        missing = [c for c in self.input_columns if c not in names]
        if missing:
            raise RuntimeError(f"Invalid parameter, column name: {missing[0]} does not exist in the dataset "
                               f"columns {names}.")
        self.output_columns = output_columns or self.input_columns
        # MindSpore 2.10: as many outputs as inputs replace them in place (renamed); otherwise the outputs
        # come first, then the untouched columns in their order.
        self._in_place = len(self.output_columns) == len(self.input_columns)
        if self._in_place:
            self.column_names = list(names)
            for i, name in zip([names.index(c) for c in self.input_columns], self.output_columns):
                self.column_names[i] = name
        else:
            self.column_names = self.output_columns + [n for n in names if n not in self.input_columns]
        self._in_index = [names.index(c) for c in self.input_columns]
        self._rest_index = [i for i, n in enumerate(names) if n not in self.input_columns]

    def _rows(self):
        for row in self.child._rows():
            values = tuple(row[i] for i in self._in_index)
            for op in self.operations:
                out = op(*values)
                values = tuple(out) if isinstance(out, tuple) else (out,)
            values = [np.asarray(v) for v in values]
            if len(values) != len(self.output_columns):
                raise RuntimeError(f"Invalid columns, the number of columns returned by the map operations "
                                   f"({len(values)}) does not match output_columns {self.output_columns}.")
            if self._in_place:
                new = list(row)
                for i, v in zip(self._in_index, values):
                    new[i] = v
                yield new
            else:
                yield values + [row[i] for i in self._rest_index]

    def _size(self):
        return self.child._size()

    def get_batch_size(self):
        return self.child.get_batch_size()


class _Repeat(Dataset):
    def __init__(self, child, count):
        if count is not None and (not isinstance(count, int) or (count <= 0 and count != -1)):
            raise ValueError(f"count should be either -1 or positive integer, but got {count}")
        self.child, self.count = child, (None if count in (None, -1) else count)
        self.column_names = child.column_names

    def _rows(self):
        done = 0
        while self.count is None or done < self.count:
            yield from self.child._rows()
            done += 1

    def _size(self):
        return -1 if self.count is None else self.child._size() * self.count

    def get_batch_size(self):
        return self.child.get_batch_size()


class _Slice(Dataset):
    def __init__(self, child, start, count):
        for value in (start, count):
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError(f"count should be either -1 or a non-negative integer, but got {value}")
        self.child, self.start, self.count = child, start, count
        self.column_names = child.column_names

    def _rows(self):
        for index, row in enumerate(self.child._rows()):
            if self.count is not None and index >= self.start + self.count:
                return
            if index >= self.start:
                yield row

    def _size(self):
        size = max(self.child._size() - self.start, 0)
        return size if self.count is None else min(size, self.count)

    def get_batch_size(self):
        return self.child.get_batch_size()


class _Columns(Dataset):
    """``rename`` (``old -> new``) or ``project`` (a selection, reordered)."""

    def __init__(self, child, old, new, keep):
        names = list(child.column_names)
        self.child = child
        if keep is None:
            if len(old) != len(new):
                raise ValueError("input_columns and output_columns must have the same length.")
            self._index = list(range(len(names)))
            self.column_names = [new[old.index(n)] if n in old else n for n in names]
        else:
            missing = [c for c in keep if c not in names]
            if missing:
                raise ValueError(f"Invalid column names: {missing}, the dataset has the columns {names}.")
            self._index = [names.index(c) for c in keep]
            self.column_names = list(keep)

    def _rows(self):
        for row in self.child._rows():
            yield [row[i] for i in self._index]

    def _size(self):
        return self.child._size()

    def get_batch_size(self):
        return self.child.get_batch_size()


class _Shuffle(Dataset):
    def __init__(self, child, buffer_size):
        self.child, self.buffer_size = child, buffer_size
        self.column_names = child.column_names

    def _rows(self):
        from msbridge.mindspore.dataset.sources import rng
        buffer = []
        for row in self.child._rows():
            buffer.append(row)
            if len(buffer) == self.buffer_size:
                yield buffer.pop(int(rng().integers(len(buffer))))
        while buffer:
            yield buffer.pop(int(rng().integers(len(buffer))))

    def _size(self):
        return self.child._size()

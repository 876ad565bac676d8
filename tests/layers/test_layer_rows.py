"""Every layer/loss/function row, every example, on both real frameworks (tests/support/layer_harness.py).

A case per (row, example): the four call styles bind to the same arguments of the real API
and translate to the same counterpart call; both objects are built, every parameter is
copied through the row's parameter map, and outputs, input gradients, parameter gradients
and buffers after the pass agree as the row's exactness class claims -- in train and in
eval mode where the row says they differ. Adding a row adds cases here.
"""
import numpy as np
import pytest

import layer_harness as h
from msbridge.tables import load_tables
from msbridge.tables.translate import bind, same_value

HARNESS_CATEGORIES = ("layer", "loss", "function")
MODEL_FILES = ("layers.toml", "activations.toml", "losses.toml", "tensors.toml", "ops.toml", "tensor_methods.toml")
TABLES = load_tables()
ROWS = [row for row in TABLES.rows if row.category in HARNESS_CATEGORIES]
CASES = [(row, i) for row in ROWS for i in range(len(row.examples))]
MODEL_ROWS = [row for row in TABLES.rows if row.file.rsplit("/", 1)[-1] in MODEL_FILES]


def _id(row, i):
    return f"{row.id}-{row.examples[i].source}{i}"


@pytest.mark.parametrize("row", MODEL_ROWS, ids=[r.id for r in MODEL_ROWS])
def test_model_rows_declare_a_category(row):
    assert row.category is not None


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_every_direction_of_every_row_has_an_example(row):
    sources = {example.source for example in row.examples}
    assert {"to_torch": "mindspore", "to_mindspore": "torch"}[row.directions[0]] in sources
    for direction in row.directions:
        assert {"to_torch": "mindspore", "to_mindspore": "torch"}[direction] in sources, direction


SIDES = sorted({(ref.name, ref) for row in ROWS for ref in (row.mindspore, row.torch)}, key=lambda x: x[0])


@pytest.mark.parametrize("name,ref", SIDES, ids=[f"{n}@{i}" for i, (n, _) in enumerate(SIDES)])
def test_declared_signature_is_the_real_one(name, ref):
    assert h.signature_mismatches(ref) == [], name


@pytest.mark.parametrize("row,index", CASES, ids=[_id(r, i) for r, i in CASES])
def test_row_example_on_both_frameworks(row, index):
    example = row.examples[index]
    source, target = example.source, h.OTHER[example.source]
    styles, bindings, results = h.translations(row, example)
    for style, binding in zip(styles, bindings):   # the real API reads the four calls alike
        assert binding.keys() == bindings[0].keys(), style.name
        assert all(same_value(v, bindings[0][k]) or v == bindings[0][k] for k, v in binding.items()), style.name
    target_api = row.side(target)
    calls = [bind(target_api, (), r.kwargs)[1] for r in results]   # ... and the row translates them alike
    for style, call in zip(styles, calls):
        assert call.keys() == calls[0].keys(), style.name
        assert all(same_value(v, calls[0][k]) or v == calls[0][k] for k, v in call.items()), style.name

    h.seed_both(0)
    src = h.build(row.side(source).name, styles[1])
    dst = h.build(results[0].api, h.Style("translated", (), results[0].kwargs))
    assert h.unmapped(row, source, src, styles[1].kwargs) == set() and \
        h.unmapped(row, target, dst, results[0].kwargs) == set(), \
        "the parameter map must name every parameter and buffer"
    copied = h.copy_params(row, source, src, dst)
    assert set(copied) == {n for n, (other, _) in h.name_map(row, source, src).items() if other}
    assert len(copied) == len({n for n, (other, _) in h.name_map(row, target, dst).items() if other})

    names = h.name_map(row, source, src)
    arrays = h.make_inputs(example)
    specs = example.inputs
    for mode in row.modes or ("train",):
        train = mode == "train"
        ref = h.RUNNERS[source](src, arrays, specs, train)
        ours = h.RUNNERS[target](dst, arrays, specs, train)
        what = f"{row.id} {mode}"
        assert len(ours.outputs) == len(ref.outputs), what
        for a, b in zip(ours.outputs, ref.outputs):
            h.assert_close(row, a, b, f"{what}: output")
            if row.category == "function":   # a function's result dtype is part of its meaning (default dtypes)
                assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} vs {b.dtype}"
        # a creation op (no inputs) may be all zeros by definition; anything else tested on zeros proves nothing
        assert not example.inputs or any(np.any(o != 0) for o in ref.outputs), "a test on zeros would prove nothing"
        assert len(ours.input_grads) == len(ref.input_grads)
        for a, b in zip(ours.input_grads, ref.input_grads):
            h.assert_close(row, a, b, f"{what}: input gradient")
        for name, grad in ref.param_grads.items():
            other, axis = h.map_name(names, name)
            assert other in ours.param_grads, f"{what}: no gradient for {other} (maps {name})"
            h.assert_close(row, h.to_source_layout(ours.param_grads[other], axis, source), grad,
                           f"{what}: gradient of {name}")
        assert len(ours.param_grads) == len(ref.param_grads), what
        for name, value in ref.state.items():   # running statistics after the pass, parameters untouched
            other, axis = h.map_name(names, name)
            if other is not None:
                h.assert_close(row, h.to_source_layout(ours.state[other], axis, source), value,
                               f"{what}: {name} after the pass")

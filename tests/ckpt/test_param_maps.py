"""The layers' parameter maps (rows' ``params`` and [[layer]] tables): every class exists in both
installed frameworks, a map lives in one place, bad maps are refused naming the field. (That the names and ranks are the real layers' is shown
by test_layer_roundtrip.py, which loads through every map into real layers, exactly matched.)"""
import pytest

from msbridge.tables.param_maps import build_layers, load_param_maps
from msbridge.tables.schema import TableError

ms = pytest.importorskip("mindspore")
torch = pytest.importorskip("torch")

from msbridge.bridge.checkpoint_models import _resolve  # noqa: E402


@pytest.mark.parametrize("layer", load_param_maps(), ids=lambda layer: layer.id)
def test_classes_exist_on_both_sides(layer):
    assert _resolve(layer.mindspore) is not None, layer.mindspore
    assert _resolve(layer.torch) is not None, layer.torch


def test_layer_rows_that_exist_name_the_same_classes():
    from msbridge.tables import load_tables

    tables = load_tables()
    for layer in load_param_maps():
        rows = [r for r in tables.rows if r.id == layer.id]
        for row in rows:
            assert row.mindspore.name == layer.mindspore and row.torch.name == layer.torch, layer.id


def test_a_rows_map_is_the_checkpoint_map_and_may_not_be_repeated(tmp_path):
    from msbridge.tables import loader

    dense = next(layer for layer in load_param_maps() if layer.id == "nn.Dense")
    assert dense.file.endswith("layers.toml") and dense.params[1].optional   # from the row, with every field
    for path in loader.DEFAULT_DIR.glob("*.toml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    with open(tmp_path / "layer_params.toml", "a", encoding="utf-8") as extra:
        extra.write('\n[[layer]]\nid = "nn.Dense"\nmindspore = "mindspore.nn.Dense"\ntorch = "torch.nn.Linear"\n'
                    'params = [{ mindspore = "weight", torch = "weight", ndim = 2 }]\n')
    with pytest.raises(TableError, match=r"layer 'nn.Dense': its parameter map is already in its row"):
        load_param_maps(tmp_path)


GOOD = {"id": "x", "mindspore": "mindspore.nn.Dense", "torch": "torch.nn.Linear",
        "params": [{"mindspore": "weight", "torch": "weight", "ndim": 2}]}


@pytest.mark.parametrize("change, fragment", [
    ({"params": []}, "expected a non-empty list"),
    ({"colour": 1}, "field 'colour': unknown key"),
    ({"params": [{"mindspore": "w", "torch": "weight", "layout": "transpose"}]},
     "'transpose' is not one of same, insert_axis_2"),
    ({"params": [{"mindspore": "w", "torch": "weight", "layout": "insert_axis_2"}]}, "needs the torch rank"),
    ({"params": [{"torch": "num_batches_tracked"}]}, "needs a fill"),
    ({"params": [{"mindspore": "w_*", "torch": "weight_*"}]}, "must be spelled the same on both sides"),
    ({"params": [{"mindspore": "a", "torch": "w"}, {"mindspore": "b", "torch": "w"}]}, "torch name 'w' appears twice"),
    ({"mindspore_inner": "bn 2d"}, "expected a dotted cell path"),
])
def test_bad_maps_are_refused_naming_the_field(change, fragment):
    with pytest.raises(TableError) as exc:
        build_layers("t.toml", [{**GOOD, **change}])
    assert fragment in str(exc.value) and "t.toml: layer 'x' (#1)" in str(exc.value)

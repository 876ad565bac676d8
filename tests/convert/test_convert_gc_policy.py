"""A conversion run changes the garbage collector's settings only while it runs (msbridge.convert.gc_policy):
a program that calls ``convert_paths`` gets its own thresholds and an unfrozen heap back, also on error."""
import gc

import pytest

from msbridge.convert.driver import convert_paths
from msbridge.convert.gc_policy import THRESHOLDS, conversion_gc


def test_settings_come_back_after_a_run(tmp_path):
    (tmp_path / "a.py").write_text("import torch\nrelu = torch.nn.ReLU()\n")
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    report = convert_paths(tmp_path / "a.py", tmp_path / "out.py", to="mindspore")
    assert report.files[0].changed
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


def test_settings_come_back_when_the_block_raises():
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with pytest.raises(KeyError):
        with conversion_gc():
            assert gc.get_threshold() == THRESHOLDS and gc.get_freeze_count() > frozen
            raise KeyError("boom")
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


def test_a_callers_frozen_objects_stay_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with conversion_gc():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()

"""``msbridge.torch.Generator`` against real torch 2.13: seeded ``randperm`` and ``random_split`` bit for bit."""
import pytest
import torch

import msbridge.torch as msb_torch
from msbridge.torch.utils import data as md


@pytest.mark.parametrize("seed", [0, 42, -1, 2 ** 40 + 7])
def test_randperm_is_torchs_and_advances_as_torch(seed):
    theirs, ours = torch.Generator().manual_seed(seed), msb_torch.Generator().manual_seed(seed)
    for n in (0, 1, 2, 7, 1000, 3):   # consecutive draws: the state advances as torch's
        assert ours.randperm(n) == torch.randperm(n, generator=theirs).tolist()
    assert ours.initial_seed() == theirs.initial_seed()


def test_unseeded_generator_and_errors_are_torchs():
    theirs, ours = torch.Generator(), msb_torch.Generator()
    assert ours.initial_seed() == theirs.initial_seed()
    assert ours.randperm(9) == torch.randperm(9, generator=theirs).tolist()
    assert str(ours.device) == str(theirs.device) == "cpu"
    for bad in (1.5, "a", True):
        with pytest.raises(RuntimeError, match="manual_seed expected a long"):
            theirs.manual_seed(bad)
        with pytest.raises(RuntimeError, match="manual_seed expected a long"):
            ours.manual_seed(bad)


@pytest.mark.parametrize("lengths", [[17, 8], [0.5, 0.3, 0.2]])
def test_random_split_with_a_seeded_generator_is_torchs(lengths):
    theirs = torch.utils.data.random_split(range(25), lengths, generator=torch.Generator().manual_seed(42))
    ours = md.random_split(range(25), lengths, generator=msb_torch.Generator().manual_seed(42))
    assert [list(p.indices) for p in ours] == [list(p.indices) for p in theirs]

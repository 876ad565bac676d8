"""The schedule classes under ``torch.compile``: one graph, no graph break, no recompilation per step."""
import numpy as np
import pytest
import torch

import msbridge.mindspore.nn as nn

SCHEDULES = [
    nn.ExponentialDecayLR(0.1, 0.9, 4, True),
    nn.NaturalExpDecayLR(0.1, 0.05, 3, True),
    nn.InverseDecayLR(0.1, 0.5, 10),
    nn.CosineDecayLR(0.001, 0.1, 100),
    nn.PolynomialDecayLR(0.1, 0.01, 30, 0.5, True),
    nn.WarmUpLR(0.1, 50),
]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: type(s).__name__)
def test_one_graph_for_all_tensor_steps(schedule):
    import torch._dynamo.testing  # here, not at collection: every xdist worker collects, ~2 CPU-s each

    torch._dynamo.reset()
    counter = torch._dynamo.testing.CompileCounter()
    compiled = torch.compile(schedule, backend=counter, fullgraph=True)  # fullgraph: a graph break raises
    for step in range(0, 200, 7):
        assert torch.equal(compiled(torch.tensor(step)), schedule(torch.tensor(step)))
    assert counter.frame_count == 1


def test_inductor_output_is_bit_identical_to_eager():
    """Measured, not assumed: inductor's generated kernels give the same float32 bits here (CPU)."""
    import torch._dynamo

    torch._dynamo.reset()
    schedules = (nn.ExponentialDecayLR(0.1, 0.9, 4), nn.CosineDecayLR(0.001, 0.1, 100))
    for schedule in schedules:
        compiled = torch.compile(schedule, fullgraph=True)
        steps = [torch.tensor(s) for s in range(0, 400, 3)]
        eager = np.array([schedule(s).item() for s in steps], dtype=np.float32)
        fast = np.array([compiled(s).item() for s in steps], dtype=np.float32)
        assert eager.tobytes() == fast.tobytes()

"""torch.backends.cuda's switches: ``matmul.allow_tf32`` and friends (see ``matmul``)."""
from msbridge.torch.backends.cuda import matmul


def is_built() -> bool:
    return False


__all__ = ["is_built", "matmul"]

"""torch.backends.mps: MindSpore has no Metal backend, so there is never an MPS device."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False

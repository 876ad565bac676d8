"""torch.backends.cudnn's flags: MindSpore has no cuDNN switches per process.

``benchmark`` lets cuDNN pick the fastest algorithm and ``deterministic`` asks for
deterministic ones; neither changes what a CPU run computes, and MindSpore has no
counterpart, so they are plain attributes a ported script may set and read.
"""
benchmark = False
deterministic = False
enabled = True
allow_tf32 = True


def is_available():
    return False

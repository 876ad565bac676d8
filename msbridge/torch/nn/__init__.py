"""MindSpore functions and Cells with torch.nn semantics (runtime twins for torch -> MindSpore)."""

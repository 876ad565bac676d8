"""MindSpore ``common``-shaped API on torch: the initializers (``mindspore.common.initializer``)."""

"""``msbridge plot``: see an LR schedule per training step next to its counterpart in the other framework.

expression (parse, never eval) -> runners (the real frameworks compute every
value) -> render (matplotlib, Agg). ``translations`` picks the counterpart.
"""

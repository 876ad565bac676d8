"""``msbridge plot``: see an LR schedule per training step next to its counterparts.

``expression`` parses the call (never eval) against the ``apis`` whitelist;
``runners`` compute every value in the real frameworks (msbridge stand-ins only
where one is missing); ``counterparts`` asks the mapping tables for the other
framework's translations; ``curves`` puts these together for the options;
``render`` draws the two panels (matplotlib, Agg); ``script`` and ``probe`` do
the same for a whole training script and its conversion; ``command`` is the CLI.
"""

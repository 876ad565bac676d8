"""``msbridge convert``: source-to-source rewriting between MindSpore and PyTorch.

``source.convert_source(text, to)`` converts one file's text; ``driver.convert_paths``
a file or a tree; ``command.register`` adds the CLI subcommand. Kept free of
imports so ``msbridge --help`` does not load LibCST or the tables.
"""

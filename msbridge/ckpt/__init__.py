"""``msbridge ckpt``: the command line over ``msbridge.bridge.checkpoint``.

Its own package (like ``convert``, ``plot`` and ``tables``) so that registering the command
imports no framework: ``msbridge.bridge`` imports torch when it loads.
"""

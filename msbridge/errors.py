"""Errors shared across msbridge.

``UserError`` marks a mistake in what the user asked for (bad expression,
unknown API, missing file): the CLI prints its message without a traceback
and exits non-zero.
"""


class UserError(Exception):
    """A user mistake that the CLI reports in one line, without a traceback."""

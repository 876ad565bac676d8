"""Reading the ``--csv`` of ``msbridge plot train.py`` (tests/cli/test_cli_plot_script*.py)."""
import csv

import numpy as np


def read_columns(path):
    """The value columns of the table (the step column dropped), blanks skipped."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return [[float(r[i]) for r in rows[1:] if r[i] != ""] for i in range(1, len(rows[0]))]


def as_float32(values):
    return [float(np.float32(v)) for v in values]

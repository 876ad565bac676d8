"""``python -m msbridge``: the same command line as the ``msbridge`` script."""
import sys

from msbridge.cli import main

sys.exit(main())

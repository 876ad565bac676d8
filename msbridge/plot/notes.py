"""Notes: what the plot could not draw, or drew with a stand-in, on one stderr line each."""
import sys


def note(message: str) -> None:
    """Not an error (the plot is still written): tell the person what was left out and why."""
    print(f"msbridge plot: note: {message}", file=sys.stderr)

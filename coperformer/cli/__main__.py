"""`python -m coperformer.cli`."""

from coperformer.cli import run

run()

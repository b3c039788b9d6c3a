"""`python -m coperformer`."""

from coperformer.cli import run

run()

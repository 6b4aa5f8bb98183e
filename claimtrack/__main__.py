"""`python -m claimtrack` runs the command line."""

from .cli import app

app(prog_name="claimtrack")

"""Gathering: a platform for compassionate mental health networks."""

__version__ = "0.1.0"

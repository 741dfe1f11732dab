"""Impact: what the network achieves, in figures that never expose a person (see disclosure.py)."""

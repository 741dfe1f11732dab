"""Where something was raised from, in words: an app registers how to name its own things ("circle:12"
becomes "Circle 2 of Morning circles"), so that support can name them without importing the app."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    label: str
    path: str


# Takes the part after "kind:" and gives its name and page, or None when there is no such thing.
Resolver = Callable[[str], Reference | None]

_resolvers: dict[str, Resolver] = {}


def reference_kind(kind: str) -> Callable[[Resolver], Resolver]:
    """Register the decorated function as the namer of references that start with `kind:`."""

    def register(function: Resolver) -> Resolver:
        _resolvers[kind] = function
        return function

    return register


def reference_describe(value: str) -> Reference | None:
    """The name and page of a reference like "circle:12", or None when nothing knows it."""
    kind, _sep, key = value.partition(":")
    resolver = _resolvers.get(kind)
    if resolver is None or not key:
        return None
    return resolver(key)

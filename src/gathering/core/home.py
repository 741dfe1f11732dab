"""The home page's blocks: an app with something to lead with registers a block here, so the home page can
show it without core importing the app (core stays at the left of the dependency arrows)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

# Gives the block's template its data, or None when the block has nothing to say to this person.
BlockData = Callable[[HttpRequest], dict[str, object] | None]


@dataclass(frozen=True)
class HomeBlock:
    name: str
    order: int
    template: str
    data: BlockData


@dataclass(frozen=True)
class FilledBlock:
    name: str
    template: str
    data: dict[str, object]


class HomeBlockRegistry:
    """Named blocks in the order the home page shows them; the project has one (`registry`)."""

    def __init__(self) -> None:
        self._blocks: dict[str, HomeBlock] = {}

    def home_block(self, name: str, *, order: int, template: str) -> Callable[[BlockData], BlockData]:
        """Register the decorated function, called as `function(request)`, to fill `template` on the home
        page. Lower `order` comes first. The function should call one selector, so the page keeps a fixed
        number of queries. The home page seen by people not signed in is kept in the page cache under
        `pagecache.LISTINGS`: the block's app marks it changed when what the block shows changes (a
        `pagecache.watch` on its models)."""

        def register(function: BlockData) -> BlockData:
            existing = self._blocks.get(name)
            if existing is not None and existing.data is not function:
                raise ImproperlyConfigured(f"Two home page blocks are registered as {name!r}.")
            self._blocks[name] = HomeBlock(name=name, order=order, template=template, data=function)
            return function

        return register

    def blocks(self) -> list[HomeBlock]:
        return sorted(self._blocks.values(), key=lambda block: (block.order, block.name))

    def fill(self, request: HttpRequest) -> list[FilledBlock]:
        filled = []
        for block in self.blocks():
            data = block.data(request)
            if data is not None:
                filled.append(FilledBlock(name=block.name, template=block.template, data=data))
        return filled


registry = HomeBlockRegistry()
home_block = registry.home_block

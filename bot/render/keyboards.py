"""Page buttons: where a page sits among its pages, and the ``‹ 1 · 2 · 3 4 ›`` row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.render import callbacks
from bot.render.message import Button


@dataclass(frozen=True, slots=True)
class Paging:
    """Where a page sits, and how its buttons encode a jump to another page."""

    number: int
    known_pages: int  #: pages known to exist
    has_more: bool  #: more pages after ``known_pages``

    @property
    def last_known(self) -> int:
        return max(self.known_pages, self.number)


def page_row(paging: Paging, action: Callable[[int], callbacks.Action]) -> tuple[Button, ...]:
    """``‹ 1 · 2 · 3 4 ›``: numbers in a window around the current page, prev and next."""
    current = paging.number
    last = paging.last_known
    start = max(1, min(current - 2, last - 4))
    numbers = range(start, min(start + 5, last + 1))
    buttons = []
    if current > 1:
        buttons.append(Button("‹", callback=callbacks.encode(action(current - 1))))
    for number in numbers:
        if number == current:
            buttons.append(Button(f"· {number} ·", callback=callbacks.encode(callbacks.Noop())))
        else:
            buttons.append(Button(str(number), callback=callbacks.encode(action(number))))
    if current < last or paging.has_more:
        buttons.append(Button("›", callback=callbacks.encode(action(current + 1))))
    return tuple(buttons)

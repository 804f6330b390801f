"""One way to cut a long list into pages: ``paginate`` a query, get a ``Page``.

Templates show it with the ``pager`` macro of ``_kit.html``; views read the page number
from the query string with ``page_number``.
"""

from dataclasses import dataclass
from math import ceil

from sqlalchemy import Select, func, select

from .extensions import db

PER_PAGE = 50
MAX_PAGE_DIGITS = 5


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, the total count and where we are."""

    items: list
    total: int
    number: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.number * self.per_page)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def count(query: Select) -> int:
    """Return how many rows ``query`` gives."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def paginate(query: Select, number: int, *options, per_page: int = PER_PAGE,
             rows: bool = False) -> Page:
    """Count ``query`` and return page ``number`` of it (clamped to the pages there are).

    Items are the first entity of each row, or whole rows with ``rows=True``.
    """
    total = count(query)
    pages = max(1, ceil(total / per_page))
    number = min(max(1, number), pages)
    limited = query.options(*options).limit(per_page).offset((number - 1) * per_page)
    result = db.session.execute(limited).all() if rows else db.session.scalars(limited).all()
    return Page(items=list(result), total=total, number=number, per_page=per_page)


def page_number(raw: str | None) -> int:
    """Return the page number asked for in the query string (1 when missing or invalid)."""
    raw = raw or "1"
    return int(raw) if raw.isdigit() and len(raw) <= MAX_PAGE_DIGITS and int(raw) > 0 else 1

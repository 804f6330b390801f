"""The toolkit's work: load the pages, group them, find related ones, search, local referrals.

Everything here takes explicit inputs (the loaded pages, the reader's locale, ids) and returns
plain values; the routes only pick those inputs from the request. Pages come from
``content.load_pages``, which caches them per process until a file changes.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from ..extensions import db
from ..models import LocalReferral
from . import content
from .content import AUDIENCES, KINDS, MAX_QUERY_CHARS, ContentError, Page, PageNotFound

log = logging.getLogger(__name__)

Pages = dict[str, dict[str, Page]]

REFERRALS_SLUG = "where-to-refer"  # the page that shows the organisation's own referrals
REFERRAL_ROLES = ("volunteer", "coordinator")
READ_ALOUD_AUDIENCES = ("participant", "both")
RELATED_LIMIT = 5
TOC_LEVELS = (2, 3)

AUDIENCE_TITLES = {
    "volunteer": _l("For volunteers"),
    "participant": _l("For participants"),
    "both": _l("For volunteers and participants"),
}
AUDIENCE_PICTOS = {"volunteer": "volunteering", "participant": "person", "both": "handshake"}
KIND_TITLES = {
    "instrument": _l("Coaching instruments"),
    "dos-and-donts": _l("Do's and don'ts"),
    # Translators: "wegwijzer" is the Dutch word for a signpost guide; keep it untranslated.
    "guide": _l("Guides (wegwijzer)"),
}
KIND_NAMES = {
    "instrument": _l("Coaching instrument"),
    "dos-and-donts": _l("Do's and don'ts"),
    # Translators: "wegwijzer" is the Dutch word for a signpost guide; keep it untranslated.
    "guide": _l("Guide (wegwijzer)"),
}
KIND_PICTOS = {"instrument": "edit", "dos-and-donts": "check", "guide": "map-pin"}

_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE_RE = re.compile(r"\+?[0-9][0-9 ()./-]{4,24}")
_URL_RE = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Entry:
    """A page as a reader of some locale sees it: maybe from the fallback locale."""

    page: Page
    is_fallback: bool


@dataclass(frozen=True)
class KindGroup:
    kind: str
    entries: list[Entry]

    @property
    def title(self) -> str:
        return str(KIND_TITLES[self.kind])

    @property
    def picto(self) -> str:
        return KIND_PICTOS[self.kind]


@dataclass(frozen=True)
class AudienceGroup:
    audience: str
    kinds: list[KindGroup]

    @property
    def title(self) -> str:
        return str(AUDIENCE_TITLES[self.audience])

    @property
    def picto(self) -> str:
        return AUDIENCE_PICTOS[self.audience]

    @property
    def anchor(self) -> str:
        return f"for-{self.audience}"


@dataclass(frozen=True)
class TocNode:
    anchor: str
    text: str
    children: list[TocNode] = field(default_factory=list)


@dataclass(frozen=True)
class PageView:
    """Everything the page and its printable version show."""

    page: Page
    is_fallback: bool
    html: Markup
    toc: list[TocNode]
    related: list[Entry]
    read_aloud: bool

    @property
    def kind_name(self) -> str:
        return str(KIND_NAMES[self.page.kind])

    @property
    def kind_picto(self) -> str:
        return KIND_PICTOS[self.page.kind]


@dataclass(frozen=True)
class Hit:
    entry: Entry
    snippet: list[tuple[str, bool]]  # (text, is a query word) pieces; escape when rendering


@dataclass(frozen=True)
class SearchResult:
    query: str  # as used: cut to MAX_QUERY_CHARS
    was_cut: bool
    has_terms: bool
    hits: list[Hit]


# --------------------------------------------------------------------------- loading

_last_good: dict[tuple[str, str], Pages] = {}


def load_toolkit(root: str, link_base: str) -> Pages:
    """Return every page of ``root`` with internal links under ``link_base``.

    The loader caches by file modification time, so this is cheap per request. When a file
    was edited into an invalid state, the last valid set is served (and the error logged)
    instead of failing every toolkit request; without a valid set the error is raised.
    """
    key = (root, link_base)
    try:
        pages = content.load_pages(root, link_base)
    except ContentError:
        if key not in _last_good:
            raise
        log.exception("Toolkit content is invalid; serving the last valid version")
        return _last_good[key]
    _last_good[key] = pages
    return pages


# --------------------------------------------------------------------------- overview


def overview(pages: Pages, locale: str, participants_first: bool = False) -> list[AudienceGroup]:
    """Group the pages a reader of ``locale`` can open by audience, then by kind.

    Audiences come volunteers, participants, both (participants first when asked); kinds in
    ``content.KINDS`` order; empty groups are left out.
    """
    listed = [Entry(page, fallback) for page, fallback in content.pages_for(pages, locale)]
    order = list(AUDIENCES)
    if participants_first:
        order.remove("participant")
        order.insert(0, "participant")
    groups = []
    for audience in order:
        kinds = [
            KindGroup(kind, entries)
            for kind in KINDS
            if (entries := [e for e in listed if e.page.audience == audience
                            and e.page.kind == kind])
        ]
        if kinds:
            groups.append(AudienceGroup(audience, kinds))
    return groups


def fallback_locales(groups: list[AudienceGroup]) -> list[str]:
    """Return the locales that pages in ``groups`` were taken from as a fallback."""
    found = {
        entry.page.locale
        for group in groups
        for kind in group.kinds
        for entry in kind.entries
        if entry.is_fallback
    }
    return sorted(found)


def reader_is_participant(role: str | None, pages: Pages, locale: str) -> bool:
    """Guess whether to list participant pages first: for participants, and for anonymous
    readers of a language that has no translated volunteer pages."""
    if role == "participant":
        return True
    if role is not None:
        return False
    return not any(page.audience == "volunteer" for page in pages.get(locale, {}).values())


# --------------------------------------------------------------------------- one page


def page_view(pages: Pages, locale: str, slug: str, table_label: str = "") -> PageView:
    """Return the page ``slug`` for a reader of ``locale``; raises ``PageNotFound``."""
    if not isinstance(slug, str) or not content.SLUG_RE.fullmatch(slug):
        raise PageNotFound(slug)
    page, is_fallback = content.get_page(pages, locale, slug)
    return PageView(
        page=page,
        is_fallback=is_fallback,
        html=scrollable_tables(page.html, table_label),
        toc=toc_tree(page.toc),
        related=related_pages(pages, locale, page),
        read_aloud=page.audience in READ_ALOUD_AUDIENCES and not is_fallback,
    )


def scrollable_tables(html: str, label: str = "") -> Markup:
    """Wrap each rendered table in a focusable, horizontally scrolling region (phones).

    ``html`` comes from the loader, which escapes raw HTML in the Markdown, so a literal
    ``<table>`` in it can only be one the renderer made.
    """
    region = f'<div class="table-wrap" role="region" tabindex="0" aria-label="{escape(label)}">'
    wrapped = html.replace("<table>", region + '<table class="data">')
    return Markup(wrapped.replace("</table>", "</table></div>"))  # noqa: S704 - loader output


def toc_tree(toc: tuple[content.TocEntry, ...]) -> list[TocNode]:
    """Nest the level-2 and level-3 headings of a page (deeper ones are left out)."""
    top, sub = TOC_LEVELS
    tree: list[TocNode] = []
    for level, anchor, text in toc:
        if level == top:
            tree.append(TocNode(anchor, text, []))
        elif level == sub and tree:
            tree[-1].children.append(TocNode(anchor, text))
        elif level == sub:
            tree.append(TocNode(anchor, text, []))
    return tree


@lru_cache(maxsize=1024)
def linked_slugs(page: Page) -> tuple[str, ...]:
    """Return the slugs ``page`` links to, in order of first appearance."""
    found: list[str] = []
    for href in content.links(page.body_md):
        target = content.parse_internal_link(href)
        if target and target[0] and target[0] not in found and target[0] != page.slug:
            found.append(target[0])
    return tuple(found)


def related_pages(pages: Pages, locale: str, page: Page, limit: int = RELATED_LIMIT) -> list[Entry]:
    """Pages to read next: the ones ``page`` links to, the ones linking to it, then pages of
    the same kind; only pages for the same readers (participant pages stay among themselves).
    """
    audience = None if page.audience == "both" else page.audience
    readable = content.pages_for(pages, locale, audience)
    pool = {candidate.slug: Entry(candidate, fallback) for candidate, fallback in readable}
    pool.pop(page.slug, None)
    linking_here = [slug for slug, entry in pool.items() if page.slug in linked_slugs(entry.page)]
    same_kind = [slug for slug, entry in pool.items() if entry.page.kind == page.kind]
    chosen: list[str] = []
    for slug in (*linked_slugs(page), *linking_here, *same_kind):
        if slug in pool and slug not in chosen:
            chosen.append(slug)
    return [pool[slug] for slug in chosen[:limit]]


# --------------------------------------------------------------------------- search


def search_toolkit(pages: Pages, locale: str, raw_query: str) -> SearchResult:
    """Search the pages of ``locale`` (and the fallback pages it lacks) for ``raw_query``."""
    text = raw_query if isinstance(raw_query, str) else ""
    query = " ".join(_without_controls(text).split())
    was_cut = len(query) > MAX_QUERY_CHARS
    query = query[:MAX_QUERY_CHARS]
    terms = content.query_terms(query)
    hits = []
    for page, snippet in content.search(pages, locale, query):
        hits.append(Hit(Entry(page, page.locale != locale), highlight(snippet, terms)))
    return SearchResult(query=query, was_cut=was_cut, has_terms=bool(terms), hits=hits)


def _without_controls(text: str) -> str:
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def highlight(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """Split ``text`` into pieces, marking where a (folded) query term occurs.

    Matching is case- and accent-insensitive like the search itself; the pieces keep the
    original characters. Returns ``[(text, False)]`` when nothing matches.
    """
    folded, origin = _fold_with_origin(text)
    marked = [False] * len(text)
    for term in terms:
        start = folded.find(term)
        while start != -1:
            first, last = origin[start], origin[start + len(term) - 1]
            for index in range(first, last + 1):
                marked[index] = True
            start = folded.find(term, start + len(term))
    pieces: list[tuple[str, bool]] = []
    for char, is_marked in zip(text, marked, strict=True):
        if pieces and pieces[-1][1] == is_marked:
            pieces[-1] = (pieces[-1][0] + char, is_marked)
        else:
            pieces.append((char, is_marked))
    return pieces


def _fold_with_origin(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` character by character, remembering where each folded one came from."""
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = content.fold(char)
        parts.append(folded)
        origin.extend([index] * len(folded))
    return "".join(parts), origin


# --------------------------------------------------------------------------- local referrals


def may_see_referrals(role: str | None, organisation_id: int | None) -> bool:
    """Return whether a reader sees their organisation's referral list (staff and buddies)."""
    return role in REFERRAL_ROLES and organisation_id is not None


def local_referrals(organisation_id: int) -> list[LocalReferral]:
    """Return the organisation's own referrals in their set order."""
    return list(db.session.scalars(
        select(LocalReferral)
        .where(LocalReferral.organisation_id == organisation_id)
        .order_by(LocalReferral.position, LocalReferral.id)
    ))


def contact_href(contact: str) -> str | None:
    """Return a ``mailto:``, ``tel:`` or web link for a contact that is just one of those."""
    value = contact.strip()
    if _URL_RE.fullmatch(value):
        return value
    if _EMAIL_RE.fullmatch(value):
        return "mailto:" + value
    if _PHONE_RE.fullmatch(value):
        international = value.startswith("+")
        # "+31 (0)30 ..." is written for people, the (0) is not dialled
        digits = re.sub(r"[^0-9]", "", value.replace("(0)", "") if international else value)
        if 6 <= len(digits) <= 15:
            return "tel:" + ("+" if international else "") + digits
    return None


def contact_picto(href: str | None) -> str:
    """Return the pictogram for a contact link from ``contact_href`` (an address otherwise)."""
    if href is None:
        return "map-pin"
    if href.startswith("mailto:"):
        return "email"
    return "phone" if href.startswith("tel:") else "globe"

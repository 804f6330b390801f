"""Load, render and search the toolkit pages in ``toolkit_content/<locale>/<slug>.md``.

Pure functions and frozen dataclasses; no Flask. The toolkit blueprint calls:

- ``load_pages(root)``: every page of every locale, rendered, cached until a file changes;
- ``get_page(pages, locale, slug)``: one page, with the fallback to Dutch;
- ``pages_for(pages, locale, audience=...)``: the pages to list on an overview;
- ``search(pages, locale, query)``: ranked hits with a plain-text snippet.

File format: a front-matter block between two ``---`` lines with simple ``key: value`` lines
(the keys in ``REQUIRED_KEYS``, nothing else), then a Markdown body without raw HTML and without a
``#`` level-1 heading (the title comes from the front matter). Internal links are written as
``[label](other-slug.md)`` or ``[label](other-slug.md#anchor)`` and point to a page in the same
locale.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import cast
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

# The content locales are the interface locales (buddy.i18n). The default, nl, is the source
# language: every page is written in Dutch first.
from ..i18n import DEFAULT_LOCALE

AUDIENCES = ("volunteer", "participant", "both")
KINDS = ("instrument", "dos-and-donts", "guide")
REQUIRED_KEYS = ("title", "audience", "kind", "order", "summary", "reviewed")

# Where rendered internal links point; ``{locale}`` is replaced by the page's locale.
DEFAULT_LINK_BASE = "/toolkit/{locale}/"

MAX_QUERY_CHARS = 100  # longer queries are cut, never rejected
MAX_QUERY_TERMS = 10
MIN_TERM_CHARS = 2
SNIPPET_CHARS = 160

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LOCALE_DIR_RE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
_KEY_RE = re.compile(r"[a-z][a-z0-9_-]*")
_ORDER_RE = re.compile(r"-?[0-9]{1,6}")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTERNAL_LINK_RE = re.compile(
    r"(?:\./)?(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md(?:#(?P<anchor>[^#\s]+))?"
)
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_EXTERNAL_SCHEMES = frozenset({"http", "https"})
_WORD_RE = re.compile(r"[^\W_]+")
_NON_WORD_RE = re.compile(r"[\W_]+")

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

TocEntry = tuple[int, str, str]  # (heading level, anchor id, heading text)


class ContentError(ValueError):
    """A toolkit file is missing, unreadable or has invalid front matter."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class PageNotFound(LookupError):
    """No page with this slug in the requested locale nor in the fallback locale."""


@dataclass(frozen=True)
class Page:
    """One toolkit page in one locale, with its body already rendered."""

    slug: str
    locale: str
    title: str
    audience: str
    kind: str
    order: int
    summary: str
    reviewed: date
    body_md: str
    html: str  # safe HTML: raw HTML in the Markdown is escaped, links are checked
    toc: tuple[TocEntry, ...]  # every heading, in document order
    text: str  # plain text of the body, one block per line, for search and snippets


# --------------------------------------------------------------------------- front matter


def parse_front_matter(text: str, source: str = "<string>") -> tuple[dict[str, object], str]:
    """Split a page into its checked metadata and its Markdown body.

    Returns ``(meta, body)`` where ``meta`` has exactly the keys in ``REQUIRED_KEYS``, with
    ``order`` as ``int`` and ``reviewed`` as ``datetime.date``. Raises ``ContentError`` naming
    ``source`` for a missing block, a malformed line, an unknown, duplicate, empty or missing key,
    and for invalid values.
    """
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(source, "must start with a front-matter block ('---' on line 1)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ContentError(source, "front-matter block is not closed with '---'") from None

    raw: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or not _KEY_RE.fullmatch(key):
            raise ContentError(source, f"line {number}: expected 'key: value', got {line!r}")
        if key not in REQUIRED_KEYS:
            raise ContentError(source, f"line {number}: unknown key {key!r}")
        if key in raw:
            raise ContentError(source, f"line {number}: duplicate key {key!r}")
        value = _unquote_value(value.strip())
        if not value:
            raise ContentError(source, f"line {number}: key {key!r} has no value")
        raw[key] = value

    missing = [key for key in REQUIRED_KEYS if key not in raw]
    if missing:
        raise ContentError(source, f"missing key(s): {', '.join(missing)}")

    meta: dict[str, object] = dict(raw)
    if raw["audience"] not in AUDIENCES:
        raise ContentError(
            source, f"audience {raw['audience']!r} is not one of {', '.join(AUDIENCES)}"
        )
    if raw["kind"] not in KINDS:
        raise ContentError(source, f"kind {raw['kind']!r} is not one of {', '.join(KINDS)}")
    if not _ORDER_RE.fullmatch(raw["order"]):
        raise ContentError(source, f"order {raw['order']!r} is not a whole number")
    meta["order"] = int(raw["order"])
    try:
        if not _DATE_RE.fullmatch(raw["reviewed"]):
            raise ValueError(raw["reviewed"])
        meta["reviewed"] = date.fromisoformat(raw["reviewed"])
    except ValueError:
        raise ContentError(
            source, f"reviewed {raw['reviewed']!r} is not a date like 2026-11-28"
        ) from None

    body = "\n".join(lines[end + 1 :]).strip("\n") + "\n"
    return meta, body


def _unquote_value(value: str) -> str:
    """Drop one pair of matching surrounding quotes, as people used to YAML tend to add them."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


# --------------------------------------------------------------------------- rendering


def render(body_md: str, link_base: str) -> tuple[str, list[TocEntry]]:
    """Render a Markdown body to safe HTML and a table of contents.

    Raw HTML is escaped (never rendered). Headings get unique, stable ``id`` anchors made by
    ``slugify``. Internal links ``slug.md`` / ``slug.md#anchor`` become ``link_base + slug``
    (plus the anchor). External http(s) links get ``rel="noopener noreferrer"``; links with any
    scheme other than http, https, mailto and tel lose their ``href`` (markdown-it already drops
    ``javascript:`` and similar; this is a second fence).
    """
    html, toc, _text = _render_all(body_md, link_base)
    return html, list(toc)


def _render_all(body_md: str, link_base: str) -> tuple[str, tuple[TocEntry, ...], str]:
    tokens = _MD.parse(body_md)
    toc: list[TocEntry] = []
    used: set[str] = set()
    blocks: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            heading = _inline_text(tokens[index + 1].children)
            anchor = _unique(slugify(heading), used)
            token.attrSet("id", anchor)
            toc.append((int(token.tag[1:]), anchor, heading))
        elif token.type == "inline":
            _fix_links(token.children, link_base)
            blocks.append(_inline_text(token.children))
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.strip())
    html = _MD.renderer.render(tokens, _MD.options, {})
    text = "\n".join(" ".join(block.split()) for block in blocks if block.strip())
    return html, tuple(toc), text


def slugify(text: str) -> str:
    """Make an anchor id: accents and case folded away, any script kept, words joined by '-'."""
    slug = _NON_WORD_RE.sub("-", fold(text)).strip("-")
    return slug or "section"


def _unique(slug: str, used: set[str]) -> str:
    candidate, number = slug, 2
    while candidate in used:
        candidate, number = f"{slug}-{number}", number + 1
    used.add(candidate)
    return candidate


def _inline_text(children: Iterable[Token] | None) -> str:
    parts: list[str] = []
    for child in children or ():
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _fix_links(children: Iterable[Token] | None, link_base: str) -> None:
    for child in children or ():
        if child.type != "link_open":
            continue
        href = str(child.attrGet("href") or "")
        internal = parse_internal_link(href)
        if internal is not None and internal[0] is not None:
            fragment = "#" + href.split("#", 1)[1] if internal[1] else ""
            child.attrSet("href", link_base + internal[0] + fragment)
            continue
        scheme = _scheme(href)
        if scheme is None:
            continue
        if scheme not in _SAFE_SCHEMES:
            child.attrs.pop("href", None)
        elif scheme in _EXTERNAL_SCHEMES:
            child.attrSet("rel", "noopener noreferrer")


def _scheme(href: str) -> str | None:
    cleaned = "".join(ch for ch in href if ch > " ").lstrip()
    match = _SCHEME_RE.match(cleaned)
    return match.group(1).lower() if match else None


def links(body_md: str) -> list[str]:
    """Every link target in a Markdown body, as markdown-it normalised it."""
    found: list[str] = []
    for token in _MD.parse(body_md):
        for child in token.children or ():
            if child.type == "link_open":
                found.append(str(child.attrGet("href") or ""))
    return found


def parse_internal_link(href: str) -> tuple[str | None, str | None] | None:
    """``(slug, anchor)`` for ``slug.md[#anchor]``, ``(None, anchor)`` for ``#anchor``, else None.

    The anchor is returned percent-decoded, so it compares equal to a ``toc`` id.
    """
    if href.startswith("#") and len(href) > 1:
        return None, unquote(href[1:])
    match = _INTERNAL_LINK_RE.fullmatch(href)
    if match is None:
        return None
    anchor = match.group("anchor")
    return match.group("slug"), unquote(anchor) if anchor else None


def is_external_link(href: str) -> bool:
    """True for http(s), mailto and tel links: the ones the renderer lets through unchanged."""
    return _scheme(href) in _SAFE_SCHEMES


# --------------------------------------------------------------------------- loading


def load_pages(root: Path | str, link_base: str = DEFAULT_LINK_BASE) -> dict[str, dict[str, Page]]:
    """Read every ``<root>/<locale>/<slug>.md`` and return ``{locale: {slug: Page}}``.

    Every sub-folder of ``root`` whose name does not start with '.' or '_' is a locale.
    ``link_base`` is where internal links point; ``{locale}`` in it is replaced by the page's
    locale. The result is cached per root and link base and re-read as soon as any file's
    modification time or size changes (a few ``stat`` calls per call); ``clear_cache()`` empties
    the cache. Each call returns fresh dicts, so callers may change them safely. Raises
    ``ContentError`` for a missing root, a bad file or folder name, or an invalid page.
    """
    folder = Path(root).resolve()
    if not folder.is_dir():
        raise ContentError(str(folder), "toolkit content folder not found")
    cached = _load_cached(folder, link_base, _signature(folder))
    return {locale: dict(pages) for locale, pages in cached.items()}


def clear_cache() -> None:
    """Forget every loaded page set and every cached normalised text."""
    _load_cached.cache_clear()
    fold.cache_clear()
    _fold_char.cache_clear()


def _locale_dirs(folder: Path) -> list[Path]:
    return sorted(
        child
        for child in folder.iterdir()
        if child.is_dir() and not child.name.startswith((".", "_"))
    )


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    entries: list[tuple[str, int, int]] = []
    for locale_dir in _locale_dirs(folder):
        stat = locale_dir.stat()
        entries.append((locale_dir.name, stat.st_mtime_ns, 0))
        for path in sorted(locale_dir.glob("*.md")):
            stat = path.stat()
            entries.append((f"{locale_dir.name}/{path.name}", stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


@lru_cache(maxsize=8)
def _load_cached(
    folder: Path, link_base: str, signature: tuple[tuple[str, int, int], ...]
) -> dict[str, dict[str, Page]]:
    del signature  # only part of the cache key
    pages: dict[str, dict[str, Page]] = {}
    for locale_dir in _locale_dirs(folder):
        locale = locale_dir.name
        if not _LOCALE_DIR_RE.fullmatch(locale):
            raise ContentError(str(locale_dir), "folder name is not a locale code")
        base = link_base.replace("{locale}", locale)
        pages[locale] = {}
        for path in sorted(locale_dir.glob("*.md")):
            if not path.is_file():
                continue
            page = _read_page(path, locale, base)
            pages[locale][page.slug] = page
    return pages


def _read_page(path: Path, locale: str, link_base: str) -> Page:
    source = f"{locale}/{path.name}"
    slug = path.stem
    if not SLUG_RE.fullmatch(slug):
        raise ContentError(source, "file name must be a lowercase-hyphenated slug")
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(source, f"cannot read file ({error})") from None
    meta, body = parse_front_matter(raw, source)
    html, toc, text = _render_all(body, link_base)
    return Page(
        slug=slug,
        locale=locale,
        title=str(meta["title"]),
        audience=str(meta["audience"]),
        kind=str(meta["kind"]),
        order=cast(int, meta["order"]),
        summary=str(meta["summary"]),
        reviewed=cast(date, meta["reviewed"]),
        body_md=body,
        html=html,
        toc=toc,
        text=text,
    )


# --------------------------------------------------------------------------- lookup


def _chain(locale: object, fallback: str) -> tuple[str, ...]:
    """Locales to try, in order: the requested one, then the fallback (nl by default)."""
    requested = locale if isinstance(locale, str) else fallback
    return (requested,) if requested == fallback else (requested, fallback)


def get_page(
    pages: Mapping[str, Mapping[str, Page]],
    locale: str,
    slug: str,
    fallback: str = DEFAULT_LOCALE,
) -> tuple[Page, bool]:
    """Return ``(page, is_fallback)`` for ``slug`` in ``locale``.

    Fallback chain: the requested locale, then ``fallback`` (Dutch). There is deliberately no
    step through English: Dutch is the source language of every page, it is written in plain
    language (about B1), and it is the language the participant is learning; a single fallback
    also keeps "this page is not yet translated" honest. ``is_fallback`` is True when the page
    comes from the fallback locale. A fallback page's internal links point to the fallback
    locale; call ``render(page.body_md, base)`` to point them elsewhere. Raises
    ``PageNotFound`` when neither locale has the page (also for non-string input).
    """
    if isinstance(slug, str):
        for candidate in _chain(locale, fallback):
            page = pages.get(candidate, {}).get(slug)
            if page is not None:
                return page, candidate != locale
    raise PageNotFound(f"no toolkit page {slug!r} for locale {locale!r}")


def pages_for(
    pages: Mapping[str, Mapping[str, Page]],
    locale: str,
    audience: str | None = None,
    fallback: str = DEFAULT_LOCALE,
) -> list[tuple[Page, bool]]:
    """Every page a reader of ``locale`` can open, as ``(page, is_fallback)``.

    Pages missing in ``locale`` come from ``fallback``. With ``audience`` ("volunteer" or
    "participant") only pages for that audience or for "both" are kept. Sorted by kind (in
    ``KINDS`` order), then ``order``, then title.
    """
    chosen: dict[str, tuple[Page, bool]] = {}
    for candidate in reversed(_chain(locale, fallback)):
        for slug, page in pages.get(candidate, {}).items():
            chosen[slug] = (page, candidate != locale)
    listed = [
        (page, is_fallback)
        for page, is_fallback in chosen.values()
        if audience is None or page.audience in (audience, "both")
    ]
    kind_rank = {kind: rank for rank, kind in enumerate(KINDS)}
    listed.sort(key=lambda item: (kind_rank.get(item[0].kind, 99), item[0].order, item[0].title))
    return listed


# --------------------------------------------------------------------------- search


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` for comparisons (works in any script).

    NFKD, then drop combining marks (accents, Arabic vowel signs) and invisible format
    characters (such as the Persian zero-width non-joiner), then ``casefold``. Each character
    folds on its own, so folding a part of a string gives a part of the folded string.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
    )
    return kept.casefold()


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    return fold.__wrapped__(ch)


def query_terms(query: object) -> list[str]:
    """The folded words of a search query: at most ``MAX_QUERY_TERMS``, no one-letter words.

    Never raises: anything that is not a string gives no terms. The query is cut to
    ``MAX_QUERY_CHARS`` characters first. Terms are plain words (letters and digits of any
    script), so no user input ever reaches a regular expression.
    """
    if not isinstance(query, str):
        return []
    terms: list[str] = []
    for word in _WORD_RE.findall(fold(query[:MAX_QUERY_CHARS])):
        if len(word) >= MIN_TERM_CHARS and word not in terms:
            terms.append(word)
        if len(terms) == MAX_QUERY_TERMS:
            break
    return terms


def search(
    pages: Mapping[str, Mapping[str, Page]],
    locale: str,
    query: object,
    fallback: str = DEFAULT_LOCALE,
    limit: int = 20,
) -> list[tuple[Page, str]]:
    """Find the pages of ``locale`` (plus fallback pages it lacks) that contain every query word.

    Matching is case- and accent-insensitive and by substring, so "inburgering" also finds
    "inburgeringsexamen". Ranking: pages with more query words in the title first, then in the
    summary, then by how often the words occur in the body, then by ``order``. Each hit comes
    with a plain-text snippet (escape it when rendering). Returns ``[]`` for an empty or odd
    query; never raises on user input.
    """
    terms = query_terms(query)
    if not terms:
        return []
    scored: list[tuple[tuple[int, int, int, int, str], Page]] = []
    for page, _is_fallback in pages_for(pages, locale, fallback=fallback):
        title, summary, body = fold(page.title), fold(page.summary), fold(page.text)
        if not all(term in title or term in summary or term in body for term in terms):
            continue
        title_hits = sum(term in title for term in terms)
        summary_hits = sum(term in summary for term in terms)
        body_hits = sum(min(body.count(term), 10) for term in terms)
        scored.append(((-title_hits, -summary_hits, -body_hits, page.order, page.title), page))
    scored.sort(key=lambda item: item[0])
    return [(page, _snippet(page, terms)) for _key, page in scored[: max(limit, 0)]]


def _snippet(page: Page, terms: list[str]) -> str:
    """The first body line with a query word, cut around that word; else the summary."""
    for line in page.text.splitlines():
        folded, origin = _fold_with_origin(line)
        positions = [pos for pos in (folded.find(term) for term in terms) if pos >= 0]
        if positions:
            return _cut(line, origin[min(positions)])
    return page.summary


def _fold_with_origin(line: str) -> tuple[str, list[int]]:
    parts: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(line):
        folded = _fold_char(ch)
        parts.append(folded)
        origin.extend([index] * len(folded))
    return "".join(parts), origin


def _cut(line: str, position: int, width: int = SNIPPET_CHARS) -> str:
    if len(line) <= width:
        return line
    start = max(0, min(position - width // 3, len(line) - width))
    end = start + width
    if start > 0:
        space = line.find(" ", start, position)
        start = space + 1 if space != -1 else start
    if end < len(line):
        space = line.rfind(" ", position, end)
        end = space if space != -1 else end
    return ("…" if start > 0 else "") + line[start:end].strip() + ("…" if end < len(line) else "")

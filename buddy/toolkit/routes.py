"""The toolkit: coaching instruments, do's and don'ts and the wegwijzer guide.

Every page is public (general guidance, no personal data); only the organisation's own
referral list inside ``where-to-refer`` is shown to its signed-in volunteers and coordinators.
"""

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user

from .. import i18n
from ..access import public
from ..extensions import limiter
from ..notifications import absolute_url
from . import services
from .content import PageNotFound

bp = Blueprint("toolkit", __name__, template_folder="templates", url_prefix="/toolkit")

DEFAULT_SEARCH_LIMIT = "120 per minute"


@bp.context_processor
def toolkit_helpers():
    return {"content_dir": i18n.direction, "content_lang": i18n.language_tag,
            "contact_href": services.contact_href, "contact_picto": services.contact_picto,
            "max_query_chars": services.MAX_QUERY_CHARS}


def _pages() -> services.Pages:
    # Internal links become /toolkit/<slug>; the reader's locale decides the language.
    return services.load_toolkit(current_app.config["TOOLKIT_DIR"], url_for("toolkit.index"))


def _locale() -> str:
    return str(get_locale())


def _role() -> str | None:
    return current_user.role if current_user.is_authenticated else None


def _view_or_404(slug: str) -> services.PageView:
    try:
        # Translators: what a screen reader calls a table in a toolkit page that scrolls sideways
        return services.page_view(_pages(), _locale(), slug, table_label=gettext("Table"))
    except PageNotFound:
        abort(404)


def _referrals(view: services.PageView):
    """The reader's organisation's referrals for ``where-to-refer``, or None (not shown)."""
    organisation_id = current_user.organisation_id if current_user.is_authenticated else None
    if view.page.slug != services.REFERRALS_SLUG or not services.may_see_referrals(
            _role(), organisation_id):
        return None
    return services.local_referrals(organisation_id)


def _search_limit() -> str:
    return current_app.config.get("TOOLKIT_SEARCH_LIMIT", DEFAULT_SEARCH_LIMIT)


@bp.get("/")
@public
def index():
    """List the toolkit pages by audience and kind, in the reader's language."""
    pages, locale = _pages(), _locale()
    participants_first = services.reader_is_participant(_role(), pages, locale)
    groups = services.overview(pages, locale, participants_first)
    return render_template("toolkit/index.html", groups=groups,
                           fallback_locales=services.fallback_locales(groups))


@bp.get("/search")
@public
@limiter.limit(_search_limit)
def search():
    """Search the toolkit in the reader's language."""
    raw_query = request.args.get("q", "")
    result = services.search_toolkit(_pages(), _locale(), raw_query) if raw_query else None
    return render_template("toolkit/search.html", result=result)


@bp.get("/<slug>")
@public
def page(slug: str):
    """Show one toolkit page with its contents, related pages and print link."""
    view = _view_or_404(slug)
    referrals_hint = view.page.slug == services.REFERRALS_SLUG and _role() is None
    return render_template("toolkit/page.html", view=view, page=view.page,
                           referrals=_referrals(view), referrals_hint=referrals_hint)


@bp.get("/<slug>/print")
@public
def printable(slug: str):
    """Show one page alone, laid out to print as a single instrument."""
    view = _view_or_404(slug)
    source_url = absolute_url("toolkit.page", slug=slug)
    return render_template("toolkit/print.html", view=view, page=view.page,
                           referrals=_referrals(view), source_url=source_url)

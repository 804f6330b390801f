"""All locale logic: which language a request gets, its direction, and language names.

Order in which the locale is chosen (first match wins):
1. an explicit choice in the URL: ``?lang=xx`` (the language switcher uses this too);
2. the signed-in user's saved preference;
3. the ``lang`` cookie, set whenever an explicit choice was made;
4. the browser's ``Accept-Language`` header, negotiated with ``babel.negotiate_locale``;
5. Dutch (``nl``), the default.

This module is the one place that knows the locale list (``LOCALES``: interface, catalogs,
toolkit content), the default (``DEFAULT_LOCALE``), text direction (``direction``) and how
languages are named (``language_name``, ``native_language_name``). Everything else imports
these; ``flask catalogs locales`` prints the list for the Makefile.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from babel import Locale, UnknownLocaleError, negotiate_locale
from flask import current_app, g, request
from flask_babel import get_locale
from flask_login import current_user

LOCALES = ("nl", "en", "ar", "fa", "ti", "uk", "tr", "so")  # interface, catalogs, toolkit
DEFAULT_LOCALE = "nl"  # the source language of the toolkit and the UI default
COOKIE = "lang"  # the name in development; production uses LANG_COOKIE_NAME (__Host-lang)
# Languages Babel has no locale of its own for, mapped to the one it names them under:
# Dari is Persian of Afghanistan.
BABEL_LOCALES = {"prs": "fa_AF"}
# Each language named in its own script, as the switcher shows it.
NATIVE_NAMES = {
    "nl": "Nederlands",
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی",
    "ti": "ትግርኛ",
    "uk": "Українська",
    "tr": "Türkçe",
    "so": "Soomaali",
}


def shipped_locales() -> tuple[str, ...]:
    """Return the interface locales this installation offers."""
    return LOCALES


def explicit_choice() -> str | None:
    """Return the locale asked for in the URL, if it is one we ship."""
    asked = request.args.get("lang", "")
    return asked if asked in shipped_locales() else None


def select_locale() -> str:
    """Choose the locale for this request (see the module docstring for the order)."""
    locales = shipped_locales()
    chosen = explicit_choice()
    if chosen:
        g.set_lang_cookie = chosen
        return chosen
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in locales:
        return user_locale
    cookie = request.cookies.get(cookie_name())
    if cookie in locales:
        return cookie
    accepted = [lang.replace("-", "_") for lang, _ in request.accept_languages]
    negotiated = negotiate_locale(accepted, list(locales), sep="_") if accepted else None
    return negotiated or DEFAULT_LOCALE


def cookie_name() -> str:
    """Return the name of the language cookie (``__Host-lang`` in production)."""
    return current_app.config.get("LANG_COOKIE_NAME") or COOKIE


def keep_explicit_choice(response):
    """Keep ``?lang=xx`` when the page redirects (after_request hook, before the cookie).

    A page that only redirects renders nothing, so the locale was never chosen: remember the
    explicit choice in the cookie anyway, and carry it on a redirect within the site, so a
    link sent to an Arabic speaker opens the next page in Arabic too."""
    chosen = explicit_choice()
    if not chosen:
        return response
    g.set_lang_cookie = chosen
    if 300 <= response.status_code < 400 and response.location:
        response.location = _with_lang(response.location, chosen)
    return response


def _with_lang(location: str, code: str) -> str:
    parts = urlsplit(location)
    local = not parts.scheme and not parts.netloc and location.startswith("/")
    if not local and parts.netloc != request.host:
        return location
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "lang" for key, _ in query):
        return location
    return urlunsplit(parts._replace(query=urlencode([*query, ("lang", code)])))


def remember_choice(response):
    """Keep an explicit language choice in a cookie (after_request hook)."""
    chosen = g.get("set_lang_cookie")
    if chosen:
        response.set_cookie(
            cookie_name(), chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def babel_locale(code: str | Locale | None = None) -> Locale:
    """Return Babel's locale for a language or locale code (default: the current one)."""
    code = str(code or get_locale())
    return Locale.parse(BABEL_LOCALES.get(code, code))


def direction(locale: str | Locale | None = None) -> str:
    """Return ``rtl`` or ``ltr`` for ``locale`` (default: the current one), from Babel."""
    return "rtl" if babel_locale(locale).text_direction == "rtl" else "ltr"


def language_tag(locale: str | Locale | None = None) -> str:
    """Return the BCP 47 tag for ``lang`` attributes (``pt_BR`` -> ``pt-BR``)."""
    return str(locale or get_locale()).replace("_", "-")


def language_name(code: str, in_locale: str | Locale | None = None) -> str:
    """Return the name of language ``code`` in ``in_locale`` (default: current), via Babel."""
    try:
        languages = babel_locale(in_locale).languages
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return languages.get(BABEL_LOCALES.get(code, code)) or languages.get(code) or code


def native_language_name(code: str) -> str:
    """Return the name of language ``code`` in that language itself."""
    return NATIVE_NAMES.get(code) or language_name(code, in_locale=code)


def switcher_links() -> list[dict]:
    """Return the language switcher entries for the current page (same path, ``?lang=``)."""
    current = str(get_locale())
    args = {k: v for k, v in request.args.items() if k != "lang"}
    links = []
    for code in shipped_locales():
        links.append({
            "code": code,
            "name": NATIVE_NAMES.get(code, code),
            "url": _url_with_lang(args, code),
            "current": code == current,
            "dir": direction(code),
        })
    return links


def _url_with_lang(args: dict, code: str) -> str:
    return request.path + "?" + urlencode({**args, "lang": code})

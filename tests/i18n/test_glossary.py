"""Issue 18: each locale's glossary (translations/glossary/<locale>.toml) is used consistently.

The catalog and the toolkit pages of a locale must use the glossary's term for buddy,
coordinator, volunteer, participant, Dutch, neighbourhood, appointment, consent and match,
and none of the known wrong variants or clumsy phrases. The term is also extracted from the
catalog (the translation of the one-word msgid, e.g. "Coordinator") so that UI and toolkit
cannot drift apart again.
"""

import re
import tomllib
from pathlib import Path

import pytest

from buddy.catalogs import PLACEHOLDER, load, po_path
from buddy.i18n import LOCALES

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "translations" / "glossary"
CONTENT = ROOT / "toolkit_content"
TERMS = ("buddy", "coordinator", "volunteer", "participant", "dutch", "neighbourhood",
         "appointment", "consent", "match")
# The one-word msgid whose translation is the term as the UI shows it.
ANCHORS = {"coordinator": "Coordinator", "volunteer": "Volunteer", "participant": "Participant",
           "dutch": "Dutch", "neighbourhood": "Neighbourhood", "consent": "Consent",
           "match": "Match", "buddy": "Your buddy"}
# Terms that every message about them must use (English msgid word -> the glossary term).
EVERYWHERE = {"buddy": r"\bbudd(y|ies)\b", "coordinator": r"\bcoordinators?\b",
              "dutch": r"\bDutch\b(?! government)"}
# Participant toolkit pages must use the term wherever the English page of the same slug does.
TOOLKIT_WORDS = EVERYWHERE


def glossary(locale: str) -> dict:
    return tomllib.loads((GLOSSARY / f"{locale}.toml").read_text(encoding="utf-8"))


def has(text: str, stems) -> bool:
    folded = text.casefold()
    return any(stem.casefold() in folded for stem in stems)


def strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def pages(locale: str) -> dict[str, str]:
    """The participant pages of ``locale`` (audience participant or both), by slug."""
    found = {}
    for path in sorted((CONTENT / locale).glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^audience: (participant|both)$", text, flags=re.MULTILINE):
            found[path.stem] = text
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_glossary_lists_every_term(locale):
    data = glossary(locale)
    assert data["locale"] == locale
    assert set(data["terms"]) == set(TERMS)
    for name, term in data["terms"].items():
        assert term["use"].strip() and term["stems"], name
        assert has(term["use"], term["stems"]), f"{locale} {name}: 'use' matches no stem"
        assert not has(term["use"], term["wrong"]), f"{locale} {name}: 'use' is a wrong variant"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_term_is_the_glossary_term(locale):
    """The term extracted from the catalog (one-word msgids) is the glossary's term."""
    catalog, terms = load(po_path(locale), locale), glossary(locale)["terms"]
    for name, msgid in ANCHORS.items():
        translated = catalog.get(msgid).string
        assert has(translated, terms[name]["stems"]), f"{locale}: {msgid!r} -> {translated!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_no_wrong_variant(locale):
    data = glossary(locale)
    avoid = [w for term in data["terms"].values() for w in term["wrong"]] + data["avoid"]
    found = [(m.id, text, w) for m in load(po_path(locale), locale) if m.id
             for text in strings(m) for w in avoid if w.casefold() in text.casefold()]
    assert found == []


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_uses_the_term_wherever_the_source_does(locale):
    terms = glossary(locale)["terms"]
    missing = []
    for message in load(po_path(locale), locale):
        if not message.id:
            continue
        source = PLACEHOLDER.sub("", message.id if isinstance(message.id, str) else message.id[0])
        for name, pattern in EVERYWHERE.items():
            if re.search(pattern, source, flags=re.IGNORECASE) and not all(
                    has(text, terms[name]["stems"]) for text in strings(message)):
                missing.append((name, source))
    assert missing == []


@pytest.mark.parametrize("locale", LOCALES)
def test_toolkit_pages_use_the_terms_and_no_wrong_variant(locale):
    data = glossary(locale)
    avoid = [w for term in data["terms"].values() for w in term["wrong"]] + data["avoid"]
    english = pages("en")
    problems = []
    for slug, text in pages(locale).items():
        problems += [(slug, w) for w in avoid if w.casefold() in text.casefold()]
        source = english.get(slug)
        if source is None:
            continue
        for name, pattern in TOOLKIT_WORDS.items():
            if re.search(pattern, source, flags=re.IGNORECASE) and not has(
                    text, data["terms"][name]["stems"]):
                problems.append((slug, f"no {name} term"))
    assert problems == []


@pytest.mark.parametrize("locale", LOCALES)
def test_link_to_what_is_a_buddy_says_the_page_title(locale):
    """The participant's page links to the toolkit page with the words of its title."""
    title = re.search(r"^title: (.+)$", (CONTENT / locale / "what-is-a-buddy.md").read_text(
        encoding="utf-8"), flags=re.MULTILINE).group(1).strip()
    assert load(po_path(locale), locale).get("What is a buddy?").string == title


@pytest.mark.parametrize("locale", LOCALES)
def test_dutch_model_phrases_keep_their_question_marks(locale):
    """Dutch sentences to practise are quoted whole, question mark included (in Arabic and
    Persian inside a left-to-right isolate, so the mark shows at the end of the sentence)."""
    text = (CONTENT / locale / "participant-dos-and-donts.md").read_text(encoding="utf-8")
    for phrase in ("Wat betekent dat?", "Wil je het langzaam zeggen?"):
        assert phrase in text
        if locale in ("ar", "fa"):
            assert f"\u2066{phrase}\u2069" in text

"""Fixtures for the volunteer sign-up and own-page tests: an organisation and valid steps."""

import pytest
from sqlalchemy import select

from buddy.extensions import db
from buddy.models import Neighbourhood
from tests import factories as f

PASSWORD = "a quiet walk along the canal"


def valid_steps(hood_id: int, email: str = "new.buddy@example.org") -> dict[str, dict]:
    """Return valid form data for each of the six sign-up steps."""
    return {
        "account": {"email": email, "password": PASSWORD},
        "about": {"first_name": "Anne", "age_band": "36-50", "gender": "f", "nl_level": "native",
                  "lang_1": "ar", "level_1": "good", "neighbourhood": str(hood_id),
                  "radius_km": "7", "meeting_modes": ["in_person", "online"]},
        "availability": {"availability": ["mon-evening", "sat-morning"]},
        "source": {"partner": "", "colleague_pref": "either"},
        "interests": {"interests": ["cooking", "music"], "support": ["language", "work"],
                      "occupation": "Docent", "entrepreneur": "yes", "capacity": "2",
                      "commitment_months": "18"},
        "agreements": {"motivation": "Ik help graag mensen op weg.", "privacy": "y",
                       "conduct": "y", "vog": "y"},
    }


@pytest.fixture
def org():
    organisation = f.make_org(slug="utrecht-helpt", name="Utrecht Helpt")
    f.make_neighbourhood(organisation, name="Overvecht", lat=52.11, lon=5.11)
    return organisation


@pytest.fixture
def hood_id(org):
    return db.session.scalar(select(Neighbourhood.id).where(
        Neighbourhood.organisation_id == org.id, Neighbourhood.name == "Overvecht"))


@pytest.fixture
def steps(hood_id):
    return valid_steps(hood_id)


@pytest.fixture
def steps_for(hood_id):
    """Return valid step data for another e-mail address."""
    return lambda email: valid_steps(hood_id, email)


@pytest.fixture
def signup_url(org):
    slug = org.slug

    def url(step: str | None = None, lang: str | None = None) -> str:
        path = f"/o/{slug}/volunteer/signup" + (f"/{step}" if step else "")
        return path + (f"?lang={lang}" if lang else "")

    return url


@pytest.fixture
def fill_steps(client, signup_url, steps):
    """Post the valid data of the steps before ``until`` (exclusive); return the client."""

    def fill(until: str):
        for name, data in steps.items():
            if name == until:
                break
            response = client.post(signup_url(name), data=data)
            assert response.status_code == 302, (name, response.status_code)
        return client

    return fill

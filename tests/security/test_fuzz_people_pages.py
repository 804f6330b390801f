"""Fuzzing the intake and neighbourhood forms: no input ever gives a server error."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buddy.vocab import BARRIERS, DAYS, GOALS, INTERESTS, LEVELS, PARTS, SPOKEN_LANGUAGES

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
NUMBERISH = st.one_of(TEXT, st.from_regex(r"[+-]?\d{0,4}([.,]\d{0,14})?", fullmatch=True),
                      st.floats(allow_nan=True, allow_infinity=True).map(str))


def one_of_or_text(values):
    return st.one_of(st.sampled_from(values), TEXT)


def many(values):
    return st.lists(one_of_or_text(values), max_size=8)


SLOTS = [f"{d}-{p}" for d in DAYS for p in PARTS]
INTAKE = st.fixed_dictionaries({}, optional={
    "first_name": TEXT, "email": st.one_of(TEXT, st.emails()), "phone": TEXT,
    "locale": one_of_or_text(["nl", "ar", "ti", "uk"]), "neighbourhood": TEXT,
    "radius_km": NUMBERISH, "in_person": one_of_or_text(["y"]), "online": TEXT,
    "availability": many(SLOTS), "interests": many(INTERESTS),
    "languages": many(SPOKEN_LANGUAGES), "dutch_level": one_of_or_text(LEVELS),
    "target_level": one_of_or_text(["", "B1", "B2+"]), "route": one_of_or_text(["b1", "z"]),
    "goals": many(GOALS), "primary_goal": one_of_or_text(GOALS),
    "gender": one_of_or_text(["", "f", "m", "x"]),
    "gender_pref": one_of_or_text(["any", "f", "m"]), "share_email": TEXT, "share_phone": TEXT,
    "barriers": many(BARRIERS), "barrier_note": TEXT, "consent_verbal": one_of_or_text(["y"]),
})
NEIGHBOURHOOD = st.fixed_dictionaries({}, optional={
    "name": TEXT, "lat": NUMBERISH, "lon": NUMBERISH, "priority_area": TEXT,
})


@SETTINGS
@given(data=INTAKE)
def test_intake_form_never_fails_on_the_server(coord, hood_id, data):
    if "neighbourhood" in data and data["neighbourhood"] == "":
        data["neighbourhood"] = str(hood_id)
    response = coord.post("/coordinator/participants/new", data=data)
    assert response.status_code in (302, 422), response.status_code


@SETTINGS
@given(data=INTAKE)
def test_intake_form_with_a_valid_base_never_fails(coord, hood_id, data):
    base = {"first_name": "Amina", "neighbourhood": str(hood_id), "radius_km": "5",
            "in_person": "y", "availability": ["mon-morning"], "languages": ["ar"],
            "dutch_level": "A1", "primary_goal": "work", "gender_pref": "any",
            "route": "unknown", "locale": "ar", "consent_verbal": "y"}
    response = coord.post("/coordinator/participants/new", data={**base, **data})
    assert response.status_code in (302, 422), response.status_code


@SETTINGS
@given(data=NEIGHBOURHOOD)
def test_neighbourhood_form_never_fails_on_the_server(coord, data):
    response = coord.post("/coordinator/neighbourhoods/new", data=data)
    assert response.status_code in (302, 422), response.status_code


@SETTINGS
@given(query=st.dictionaries(
    st.sampled_from(["q", "status", "neighbourhood", "level", "priority", "min_days", "page",
                     "screening", "vog", "paused"]), TEXT, max_size=5))
def test_list_filters_never_fail_on_the_server(coord, query):
    for url in ("/coordinator/participants", "/coordinator/volunteers"):
        response = coord.get(url, query_string=query)
        assert response.status_code in (200, 422), response.status_code

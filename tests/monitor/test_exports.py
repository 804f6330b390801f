"""CSV exports: pseudonyms, formula injection, BOM, names on request, audit, rate limit."""

import csv
import io

import pytest
from sqlalchemy import select

from buddy.extensions import db
from buddy.models import AuditEvent
from buddy.monitor.exports import Pseudonymiser, safe_cell
from tests import factories as f
from tests.helpers import waiting


def _rows(response):
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def matches(org):
    volunteer = f.make_volunteer(org, first_name="Anne", capacity=2)
    first = f.make_match(waiting(org, first_name="=HYPERLINK(\"http://x\")"), volunteer,
                         status="active")
    second = f.make_match(waiting(org, first_name="Omar"), volunteer, status="proposed",
                          volunteer_slot=2)
    f.make_meeting(first)
    return first, second


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+31 6", "'+31 6"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Anne", "Anne"), (None, ""), (3, "3"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_pseudonyms_are_stable_within_and_differ_between_exports():
    one, two = Pseudonymiser(), Pseudonymiser()
    assert one("volunteer", 7) == one("volunteer", 7) != one("volunteer", 8)
    assert one("volunteer", 7) != two("volunteer", 7)
    assert one("volunteer", 7).startswith("V-") and one("participant", 7) != one("volunteer", 7)


def test_matches_export_is_pseudonymised_by_default(coord, matches, org):
    response = coord.post("/coordinator/exports", data={"kind": "matches"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = _rows(response)
    assert header[:4] == ["match", "status", "participant", "volunteer"]
    assert len(rows) == 2
    assert "Anne" not in response.data.decode() and "Omar" not in response.data.decode()
    assert rows[0][3] == rows[1][3]  # the same volunteer, the same pseudonym
    assert rows[0][2] != rows[1][2]
    assert rows[0][-1] == "1"  # one meeting logged
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.matches"))
    assert audit.details == {"rows": 2, "first_names": False}
    assert audit.organisation_id == org.id


def test_first_names_on_request_are_formula_safe_and_audited(coord, matches):
    response = coord.post("/coordinator/exports", data={"kind": "matches", "include_names": "y"})
    _header, *rows = _rows(response)
    names = {row[2] for row in rows}
    assert names == {"'=HYPERLINK(\"http://x\")", "Omar"}
    assert {row[3] for row in rows} == {"Anne"}
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.matches"))
    assert audit.details["first_names"] is True


def test_waiting_list_export(coord, org):
    waiting(org, first_name="Rania", waited_days=12, rematch_priority=True)
    busy = waiting(org, first_name="Busy")
    f.make_match(busy, f.make_volunteer(org))
    response = coord.post("/coordinator/exports", data={"kind": "waiting"})
    header, *rows = _rows(response)
    assert header[0] == "participant" and len(rows) == 1
    (row,) = rows
    assert row[0].startswith("P-") and row[header.index("waiting_days")] == "12"
    assert row[header.index("rematch_priority")] == "yes"
    assert "Rania" not in response.data.decode()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.waiting"))


def test_exports_contain_only_the_own_organisation(coord, other_org):
    f.make_match(waiting(other_org, first_name="Foreign"), f.make_volunteer(other_org))
    response = coord.post("/coordinator/exports", data={"kind": "matches", "include_names": "y"})
    assert len(_rows(response)) == 1 and "Foreign" not in response.data.decode()


def test_unknown_export_kind_is_a_form_error(coord):
    assert coord.post("/coordinator/exports", data={"kind": "users"}).status_code == 422


def test_exports_are_post_only_and_rate_limited(coord, app, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_LIMIT", "2 per hour")
    assert coord.get("/coordinator/exports").status_code == 200
    codes = [coord.post("/coordinator/exports", data={"kind": "waiting"}).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]

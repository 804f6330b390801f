"""Deciding proposals: approve (with introductions), reject with a reason, approve several,
illegal transitions, and manual proposals from the candidates page."""

import re

from sqlalchemy import func, select

from buddy.extensions import db
from buddy.models import AuditEvent, Match, MatchEvent, OutboxMessage, ParticipantProfile
from tests import factories as f
from tests.helpers import fresh, user_of, waiting


def _outbox(user_id):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user_id)).all()


def test_proposals_page_lists_proposals_with_explanation(coord, proposal):
    page = coord.get("/coordinator/proposals").get_data(as_text=True)
    assert "<bdi>Fatima</bdi>" in page and "<bdi>Anne</bdi>" in page
    assert "Monday evening" in page
    assert f'action="/coordinator/matches/{proposal.id}/approve"' in page


def test_approve_moves_status_introduces_both_and_audits(coord, proposal, coordinator):
    match_id, participant_id = proposal.id, proposal.participant_id
    response = coord.post(f"/coordinator/matches/{match_id}/approve")
    assert response.status_code == 302
    match = db.session.get(Match, match_id)
    assert match.status == "approved" and match.approved_at is not None and match.version == 2
    event = db.session.scalars(select(MatchEvent).where(MatchEvent.match_id == match_id)
                               .order_by(MatchEvent.id.desc())).first()
    assert (event.from_status, event.to_status, event.actor_id) == (
        "proposed", "approved", coordinator.id)
    participant = db.session.get(ParticipantProfile, participant_id)
    assert participant.status == "matched"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "match.approved"))
    assert audit.target_id == match_id and audit.actor_id == coordinator.id
    assert set(audit.details) == {"participant_id", "volunteer_id"}


def test_introductions_are_in_each_language_with_only_consented_contact(coord, proposal):
    participant = fresh(proposal).participant
    volunteer = fresh(proposal).volunteer
    p_user, v_user = user_of(participant), user_of(volunteer)
    coord.post(f"/coordinator/matches/{proposal.id}/approve")
    (to_participant,) = _outbox(p_user.id)
    (to_volunteer,) = _outbox(v_user.id)
    assert to_participant.kind == "introduction" and to_participant.locale == "ar"
    assert to_volunteer.kind == "introduction_volunteer" and to_volunteer.locale == "nl"
    # The volunteer shares e-mail and phone; the participant shares only e-mail.
    assert v_user.email in to_participant.body and "+31622222222" in to_participant.body
    assert p_user.email in to_volunteer.body and "+31611111111" not in to_volunteer.body
    assert "Anne" in to_participant.subject and "Fatima" in to_volunteer.subject
    assert "/toolkit/first-meeting-checklist?lang=ar" in to_participant.body
    assert f"/match/{proposal.id}" in to_volunteer.body


def test_nothing_shared_means_no_contact_details(coord, org):
    participant = waiting(org, share_email=False, share_phone=False, phone="+31633333333")
    volunteer = f.make_volunteer(org, share_email=False, share_phone=False)
    match = f.make_match(participant, volunteer)
    p_email, v_email = user_of(participant).email, user_of(volunteer).email
    coord.post(f"/coordinator/matches/{match.id}/approve")
    volunteer_mail = _outbox(volunteer.user_id)[0]
    assert p_email not in volunteer_mail.body and "+31633333333" not in volunteer_mail.body
    assert v_email not in _outbox(participant.user_id)[0].body


def test_reject_needs_a_reason(coord, proposal):
    response = coord.post(f"/coordinator/matches/{proposal.id}/reject",
                          data={f"m{proposal.id}-reason": "  "})
    assert response.status_code == 422
    assert "Please give a reason." in response.get_data(as_text=True)
    assert db.session.get(Match, proposal.id).status == "proposed"


def test_reject_keeps_the_reason_and_the_pair_is_never_proposed_again(coord, proposal):
    response = coord.post(f"/coordinator/matches/{proposal.id}/reject",
                          data={f"m{proposal.id}-reason": "They are neighbours already"})
    assert response.status_code == 302
    match = db.session.get(Match, proposal.id)
    assert match.status == "rejected" and match.reject_reason == "They are neighbours already"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "match.rejected"))
    assert "neighbours" not in str(audit.details)
    page = coord.get(f"/coordinator/participants/{match.participant_id}/candidates")
    assert "0 possible buddies" in page.get_data(as_text=True)


def test_overlong_reject_reason_is_a_form_error(coord, proposal):
    response = coord.post(f"/coordinator/matches/{proposal.id}/reject",
                          data={f"m{proposal.id}-reason": "x" * 301})
    assert response.status_code == 422


def test_approve_several_at_once(coord, org):
    matches = [f.make_match(waiting(org), f.make_volunteer(org)) for _ in range(3)]
    ids = [m.id for m in matches]
    response = coord.post("/coordinator/proposals/approve", data={"match_ids": ids[:2]})
    assert response.status_code == 302
    assert [db.session.get(Match, i).status for i in ids] == ["approved", "approved", "proposed"]
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "match.approved")) == 2


def test_bulk_approve_with_unknown_id_is_refused(coord, proposal):
    response = coord.post("/coordinator/proposals/approve", data={"match_ids": [999999]})
    assert response.status_code == 422
    assert db.session.get(Match, proposal.id).status == "proposed"


def test_bulk_approve_skips_one_decided_meanwhile(coord, org):
    first, second = (f.make_match(waiting(org), f.make_volunteer(org)) for _ in range(2))
    first_id, second_id = first.id, second.id
    coord.post(f"/coordinator/matches/{first_id}/reject", data={f"m{first_id}-reason": "No"})
    response = coord.post("/coordinator/proposals/approve",
                          data={"match_ids": [first_id, second_id]}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "1 proposal approved." in text and "1 proposal was skipped" in text
    assert db.session.get(Match, first_id).status == "rejected"
    assert db.session.get(Match, second_id).status == "approved"


def test_bulk_approve_of_another_organisations_match_is_refused(coord, other_org):
    foreign = f.make_match(waiting(other_org), f.make_volunteer(other_org))
    response = coord.post("/coordinator/proposals/approve", data={"match_ids": [foreign.id]})
    assert response.status_code == 422
    assert db.session.get(Match, foreign.id).status == "proposed"


def test_approving_an_ended_match_is_refused(coord, org):
    match = f.make_match(waiting(org), f.make_volunteer(org), status="ended")
    response = coord.post(f"/coordinator/matches/{match.id}/approve", follow_redirects=True)
    assert response.status_code == 200
    assert "not possible in the current state" in response.get_data(as_text=True)
    assert db.session.get(Match, match.id).status == "ended"


def test_activating_a_proposal_is_refused(coord, proposal):
    response = coord.post(f"/coordinator/matches/{proposal.id}/activate",
                          data={"met_on": "2026-01-05"}, follow_redirects=True)
    assert "not possible in the current state" in response.get_data(as_text=True)
    assert db.session.get(Match, proposal.id).status == "proposed"


def test_a_proposal_is_not_approved_when_the_volunteer_was_rejected_meanwhile(coord, proposal):
    volunteer = fresh(proposal).volunteer
    volunteer.screening = "rejected"
    db.session.commit()
    response = coord.post(f"/coordinator/matches/{proposal.id}/approve", follow_redirects=True)
    assert "no longer approved" in response.get_data(as_text=True)
    assert db.session.get(Match, proposal.id).status == "proposed"


def test_a_proposal_is_not_approved_when_the_participant_left_meanwhile(coord, proposal):
    participant = fresh(proposal).participant
    participant.status = "withdrawn"
    db.session.commit()
    response = coord.post(f"/coordinator/matches/{proposal.id}/approve", follow_redirects=True)
    assert "not on the waiting list" in response.get_data(as_text=True)
    assert db.session.get(Match, proposal.id).status == "proposed"


def test_rejecting_an_active_match_is_refused(coord, org):
    match = f.make_match(waiting(org), f.make_volunteer(org), status="active")
    coord.post(f"/coordinator/matches/{match.id}/reject", data={f"m{match.id}-reason": "No"})
    assert db.session.get(Match, match.id).status == "active"


def test_state_changes_are_post_only(coord, proposal):
    match_id = proposal.id
    for action in ("approve", "reject", "activate", "end"):
        assert coord.get(f"/coordinator/matches/{match_id}/{action}").status_code == 405


def test_candidates_page_ranks_volunteers_and_proposes_one(coord, org):
    participant = waiting(org, first_name="Yonas", languages=["ti"], dutch_level="A0")
    nearby = f.make_neighbourhood(org, name="Oost", lat=52.0960, lon=5.1350)
    near = f.make_volunteer(org, first_name="Bram", languages=["nl", "ti"],
                            neighbourhood_id=nearby.id)
    far = f.make_volunteer(org, first_name="Carla", interests=0, support=0b1000000)
    page = coord.get(f"/coordinator/participants/{participant.id}/candidates")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.index("Bram") < text.index("Carla")  # the shared language ranks Bram first
    assert "Both speak" in text and re.search(r"[01]\.\d km apart", text)
    response = coord.post(f"/coordinator/participants/{participant.id}/candidates",
                          data={"volunteer_id": str(near.id)})
    assert response.status_code == 302
    match = db.session.scalar(select(Match).where(Match.participant_id == participant.id))
    assert match.volunteer_id == near.id and match.status == "proposed"
    assert match.explanation["manual"] is True and match.score > 0
    assert far.id != match.volunteer_id


def test_manual_proposal_for_a_busy_participant_is_refused(coord, org, proposal):
    other = f.make_volunteer(org)
    response = coord.post(f"/coordinator/participants/{proposal.participant_id}/candidates",
                          data={"volunteer_id": str(other.id)}, follow_redirects=True)
    assert "already has a proposed or running match" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Match.id)).where(
        Match.participant_id == proposal.participant_id)) == 1


def test_manual_proposal_of_a_non_candidate_is_refused(coord, org):
    participant = waiting(org, gender_pref="f")
    man = f.make_volunteer(org, gender="m")
    response = coord.post(f"/coordinator/participants/{participant.id}/candidates",
                          data={"volunteer_id": str(man.id)}, follow_redirects=True)
    assert "not a possible buddy" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Match.id))) == 0


def test_manual_proposal_with_garbage_volunteer_id_is_404(coord, org):
    participant = waiting(org)
    for value in ("abc", "-1", "9" * 30, ""):
        response = coord.post(f"/coordinator/participants/{participant.id}/candidates",
                              data={"volunteer_id": value})
        assert response.status_code == 404


def test_mass_assignment_is_ignored(coord, proposal, other_org):
    coord.post(f"/coordinator/matches/{proposal.id}/approve",
               data={"status": "ended", "organisation_id": other_org.id, "score": "1"})
    match = db.session.get(Match, proposal.id)
    assert match.status == "approved" and match.organisation_id != other_org.id
    assert match.score == 0.7

"""initial schema

Revision ID: d73396e9d581
Revises: 
Create Date: 2026-11-28 15:02:17.426370
"""

import sqlalchemy as sa
from alembic import op

import buddy.models.base

revision = 'd73396e9d581'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('min_score', sa.Float(), nullable=False),
    sa.Column('checkin_days', sa.JSON(), nullable=False),
    sa.Column('match_months', sa.Integer(), nullable=False),
    sa.Column('vog_required', sa.Boolean(), nullable=False),
    sa.Column('vog_valid_years', sa.Integer(), nullable=False),
    sa.Column('meeting_reminder_days', sa.Integer(), nullable=False),
    sa.Column('created_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('match_months BETWEEN 1 AND 36', name=op.f('ck_organisations_match_months_range')),
    sa.CheckConstraint('meeting_reminder_days BETWEEN 3 AND 120', name=op.f('ck_organisations_reminder_days_range')),
    sa.CheckConstraint('min_score >= 0 AND min_score <= 1', name=op.f('ck_organisations_min_score_range')),
    sa.CheckConstraint('vog_valid_years BETWEEN 1 AND 10', name=op.f('ck_organisations_vog_years_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisations_slug'))
    )
    op.create_table('local_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_local_referrals_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_referrals'))
    )
    with op.batch_alter_table('local_referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_local_referrals_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('neighbourhoods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('priority_area', sa.Boolean(), nullable=False),
    sa.CheckConstraint('lat BETWEEN -90 AND 90', name=op.f('ck_neighbourhoods_lat_range')),
    sa.CheckConstraint('lon BETWEEN -180 AND 180', name=op.f('ck_neighbourhoods_lon_range')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_neighbourhoods_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_neighbourhoods')),
    sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_neighbourhoods_organisation_id_name'))
    )
    with op.batch_alter_table('neighbourhoods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_neighbourhoods_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_last_counter', sa.Integer(), nullable=True),
    sa.Column('recovery_codes', sa.JSON(), nullable=True),
    sa.Column('created_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('last_login_at', buddy.models.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'coordinator', 'volunteer', 'participant')", name=op.f('ck_users_role_valid')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('phone', name=op.f('uq_users_phone'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_audit_events_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('consent_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('text_version', sa.String(length=20), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('given_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('withdrawn_at', buddy.models.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("method IN ('online', 'verbal')", name=op.f('ck_consent_records_method_valid')),
    sa.CheckConstraint("purpose IN ('privacy', 'code_of_conduct', 'vog_check', 'share_contact')", name=op.f('ck_consent_records_purpose_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_consent_records_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_consent_records_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records'))
    )
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_records_user_id'), ['user_id'], unique=False)

    op.create_table('matching_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('participants_count', sa.Integer(), nullable=False),
    sa.Column('volunteers_count', sa.Integer(), nullable=False),
    sa.Column('proposed_count', sa.Integer(), nullable=False),
    sa.Column('objective', sa.Float(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_matching_runs_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_matching_runs_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_runs'))
    )
    with op.batch_alter_table('matching_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_runs_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('next_attempt_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('sent_at', buddy.models.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'sent', 'failed')", name=op.f('ck_outbox_state_valid')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_outbox_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outbox_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_user_id'), ['user_id'], unique=False)

    op.create_table('participant_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=False),
    sa.Column('dutch_level', sa.String(length=3), nullable=False),
    sa.Column('target_level', sa.String(length=3), nullable=True),
    sa.Column('route', sa.String(length=20), nullable=False),
    sa.Column('goals', sa.Integer(), nullable=False),
    sa.Column('primary_goal', sa.String(length=20), nullable=False),
    sa.Column('gender_pref', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('waiting_since', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('rematch_priority', sa.Boolean(), nullable=False),
    sa.Column('barriers', sa.JSON(), nullable=False),
    sa.Column('barrier_note', sa.Text(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=True),
    sa.Column('availability', sa.Integer(), nullable=False),
    sa.Column('interests', sa.Integer(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('radius_km', sa.Integer(), nullable=False),
    sa.Column('in_person', sa.Boolean(), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('share_email', sa.Boolean(), nullable=False),
    sa.Column('share_phone', sa.Boolean(), nullable=False),
    sa.Column('created_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("dutch_level IN ('A0', 'A1', 'A2', 'B1', 'B2+')", name=op.f('ck_participant_profiles_dutch_level_valid')),
    sa.CheckConstraint("gender IN ('f', 'm', 'x')", name=op.f('ck_participant_profiles_gender_valid')),
    sa.CheckConstraint("gender_pref IN ('any', 'f', 'm')", name=op.f('ck_participant_profiles_gender_pref_valid')),
    sa.CheckConstraint("primary_goal IN ('language', 'work', 'study', 'business', 'parenting_school', 'volunteering', 'social')", name=op.f('ck_participant_profiles_primary_goal_valid')),
    sa.CheckConstraint("route IN ('unknown', 'b1', 'education', 'z', 'older_system', 'not_obliged')", name=op.f('ck_participant_profiles_route_valid')),
    sa.CheckConstraint("status IN ('waiting', 'matched', 'paused', 'withdrawn')", name=op.f('ck_participant_profiles_status_valid')),
    sa.CheckConstraint("target_level IN ('A1', 'A2', 'B1', 'B2+')", name=op.f('ck_participant_profiles_target_level_valid')),
    sa.CheckConstraint('availability BETWEEN 0 AND 2097151', name=op.f('ck_participant_profiles_availability_range')),
    sa.CheckConstraint('goals BETWEEN 0 AND 127', name=op.f('ck_participant_profiles_goals_range')),
    sa.CheckConstraint('in_person OR online', name=op.f('ck_participant_profiles_some_meeting_mode')),
    sa.CheckConstraint('interests BETWEEN 0 AND 4095', name=op.f('ck_participant_profiles_interests_range')),
    sa.CheckConstraint('radius_km BETWEEN 0 AND 100', name=op.f('ck_participant_profiles_radius_range')),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_participant_profiles_neighbourhood_id_neighbourhoods'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_participant_profiles_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_participant_profiles_registered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_participant_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_profiles')),
    sa.UniqueConstraint('user_id', name=op.f('uq_participant_profiles_user_id'))
    )
    with op.batch_alter_table('participant_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_profiles_neighbourhood_id'), ['neighbourhood_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_participant_profiles_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('expires_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('used_at', buddy.models.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("purpose IN ('reset', 'invite')", name=op.f('ck_tokens_purpose_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_tokens_token_hash'))
    )
    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('user_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', buddy.models.base.UTCDateTime(), nullable=True),
    sa.Column('mfa_passed', sa.Boolean(), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('volunteer_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=False),
    sa.Column('age_band', sa.String(length=10), nullable=False),
    sa.Column('language_levels', sa.JSON(), nullable=False),
    sa.Column('support', sa.Integer(), nullable=False),
    sa.Column('occupation', sa.String(length=120), nullable=False),
    sa.Column('entrepreneur_experience', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('commitment_months', sa.Integer(), nullable=False),
    sa.Column('motivation', sa.Text(), nullable=False),
    sa.Column('screening', sa.String(length=20), nullable=False),
    sa.Column('screening_note', sa.Text(), nullable=False),
    sa.Column('intake_on', sa.Date(), nullable=True),
    sa.Column('vog_status', sa.String(length=20), nullable=False),
    sa.Column('vog_issued_on', sa.Date(), nullable=True),
    sa.Column('vog_checked_by_id', sa.Integer(), nullable=True),
    sa.Column('vog_checked_at', buddy.models.base.UTCDateTime(), nullable=True),
    sa.Column('training_done_on', sa.Date(), nullable=True),
    sa.Column('screened_by_id', sa.Integer(), nullable=True),
    sa.Column('screened_at', buddy.models.base.UTCDateTime(), nullable=True),
    sa.Column('rejection_reason', sa.String(length=300), nullable=False),
    sa.Column('paused_until', sa.Date(), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=True),
    sa.Column('availability', sa.Integer(), nullable=False),
    sa.Column('interests', sa.Integer(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('radius_km', sa.Integer(), nullable=False),
    sa.Column('in_person', sa.Boolean(), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('share_email', sa.Boolean(), nullable=False),
    sa.Column('share_phone', sa.Boolean(), nullable=False),
    sa.Column('created_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("age_band IN ('18-25', '26-35', '36-50', '51-65', '66+')", name=op.f('ck_volunteer_profiles_age_band_valid')),
    sa.CheckConstraint("gender IN ('f', 'm', 'x')", name=op.f('ck_volunteer_profiles_gender_valid')),
    sa.CheckConstraint("screening IN ('registered', 'intake_done', 'vog_received', 'approved', 'rejected')", name=op.f('ck_volunteer_profiles_screening_valid')),
    sa.CheckConstraint("vog_status IN ('not_requested', 'requested', 'received', 'expired')", name=op.f('ck_volunteer_profiles_vog_status_valid')),
    sa.CheckConstraint('availability BETWEEN 0 AND 2097151', name=op.f('ck_volunteer_profiles_availability_range')),
    sa.CheckConstraint('capacity BETWEEN 1 AND 3', name=op.f('ck_volunteer_profiles_capacity_range')),
    sa.CheckConstraint('commitment_months BETWEEN 1 AND 36', name=op.f('ck_volunteer_profiles_commitment_range')),
    sa.CheckConstraint('in_person OR online', name=op.f('ck_volunteer_profiles_some_meeting_mode')),
    sa.CheckConstraint('interests BETWEEN 0 AND 4095', name=op.f('ck_volunteer_profiles_interests_range')),
    sa.CheckConstraint('radius_km BETWEEN 0 AND 100', name=op.f('ck_volunteer_profiles_radius_range')),
    sa.CheckConstraint('support BETWEEN 0 AND 127', name=op.f('ck_volunteer_profiles_support_range')),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_volunteer_profiles_neighbourhood_id_neighbourhoods'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_volunteer_profiles_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['screened_by_id'], ['users.id'], name=op.f('fk_volunteer_profiles_screened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_volunteer_profiles_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vog_checked_by_id'], ['users.id'], name=op.f('fk_volunteer_profiles_vog_checked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_profiles')),
    sa.UniqueConstraint('user_id', name=op.f('uq_volunteer_profiles_user_id'))
    )
    with op.batch_alter_table('volunteer_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_profiles_neighbourhood_id'), ['neighbourhood_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_profiles_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('level_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('level', sa.String(length=3), nullable=False),
    sa.Column('assessed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("level IN ('A0', 'A1', 'A2', 'B1', 'B2+')", name=op.f('ck_level_assessments_level_valid')),
    sa.ForeignKeyConstraint(['assessed_by_id'], ['users.id'], name=op.f('fk_level_assessments_assessed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant_profiles.id'], name=op.f('fk_level_assessments_participant_id_participant_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_level_assessments'))
    )
    with op.batch_alter_table('level_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_level_assessments_participant_id'), ['participant_id'], unique=False)

    op.create_table('matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('volunteer_slot', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('goal', sa.String(length=20), nullable=True),
    sa.Column('level_at_start', sa.String(length=3), nullable=True),
    sa.Column('waiting_days', sa.Integer(), nullable=False),
    sa.Column('priority_area', sa.Boolean(), nullable=False),
    sa.Column('proposed_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('approved_at', buddy.models.base.UTCDateTime(), nullable=True),
    sa.Column('activated_at', buddy.models.base.UTCDateTime(), nullable=True),
    sa.Column('ended_at', buddy.models.base.UTCDateTime(), nullable=True),
    sa.Column('planned_end_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=30), nullable=True),
    sa.Column('end_note', sa.Text(), nullable=False),
    sa.Column('reject_reason', sa.String(length=300), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("end_reason IN ('completed', 'goal_reached', 'stopped_by_volunteer', 'stopped_by_participant', 'no_click', 'moved', 'other')", name=op.f('ck_matches_end_reason_valid')),
    sa.CheckConstraint("goal IN ('language', 'work', 'study', 'business', 'parenting_school', 'volunteering', 'social')", name=op.f('ck_matches_goal_valid')),
    sa.CheckConstraint("level_at_start IN ('A0', 'A1', 'A2', 'B1', 'B2+')", name=op.f('ck_matches_level_at_start_valid')),
    sa.CheckConstraint("status != 'ended' OR (ended_at IS NOT NULL AND end_reason IS NOT NULL)", name=op.f('ck_matches_ended_has_reason')),
    sa.CheckConstraint("status IN ('proposed', 'approved', 'active', 'ended', 'rejected')", name=op.f('ck_matches_status_valid')),
    sa.CheckConstraint('score >= 0 AND score <= 1', name=op.f('ck_matches_score_range')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_matches_version_positive')),
    sa.CheckConstraint('volunteer_slot BETWEEN 1 AND 3', name=op.f('ck_matches_slot_range')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_matches_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant_profiles.id'], name=op.f('fk_matches_participant_id_participant_profiles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['matching_runs.id'], name=op.f('fk_matches_run_id_matching_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer_profiles.id'], name=op.f('fk_matches_volunteer_id_volunteer_profiles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matches'))
    )
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matches_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_volunteer_id'), ['volunteer_id'], unique=False)
        batch_op.create_index('uq_matches_open_participant', ['participant_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'approved', 'active')"), postgresql_where=sa.text("status IN ('proposed', 'approved', 'active')"))
        batch_op.create_index('uq_matches_open_volunteer_slot', ['volunteer_id', 'volunteer_slot'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'approved', 'active')"), postgresql_where=sa.text("status IN ('proposed', 'approved', 'active')"))

    op.create_table('pair_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('pin', 'forbid')", name=op.f('ck_pair_rules_kind_valid')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pair_rules_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_pair_rules_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant_profiles.id'], name=op.f('fk_pair_rules_participant_id_participant_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer_profiles.id'], name=op.f('fk_pair_rules_volunteer_id_volunteer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_rules')),
    sa.UniqueConstraint('participant_id', 'volunteer_id', 'kind', name=op.f('uq_pair_rules_participant_id_volunteer_id_kind'))
    )
    with op.batch_alter_table('pair_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pair_rules_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pair_rules_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pair_rules_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_at', buddy.models.base.UTCDateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("outcome IN ('going_well', 'needs_attention', 'at_risk')", name=op.f('ck_check_ins_outcome_valid')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_check_ins_done_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_check_ins_match_id_matches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    sa.UniqueConstraint('match_id', 'due_on', name=op.f('uq_check_ins_match_id_due_on'))
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_ins_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_ins_match_id'), ['match_id'], unique=False)

    op.create_table('match_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=10), nullable=True),
    sa.Column('to_status', sa.String(length=10), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.CheckConstraint("from_status IN ('proposed', 'approved', 'active', 'ended', 'rejected')", name=op.f('ck_match_events_from_status_valid')),
    sa.CheckConstraint("to_status IN ('proposed', 'approved', 'active', 'ended', 'rejected')", name=op.f('ck_match_events_to_status_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_match_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_match_events_match_id_matches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_events'))
    )
    with op.batch_alter_table('match_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_events_match_id'), ['match_id'], unique=False)

    op.create_table('meeting_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('met_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('activity', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', buddy.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('minutes BETWEEN 5 AND 600', name=op.f('ck_meeting_logs_minutes_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_meeting_logs_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_meeting_logs_match_id_matches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_logs'))
    )
    with op.batch_alter_table('meeting_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_logs_match_id'), ['match_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('meeting_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_logs_match_id'))

    op.drop_table('meeting_logs')
    with op.batch_alter_table('match_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_events_match_id'))

    op.drop_table('match_events')
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_ins_match_id'))
        batch_op.drop_index(batch_op.f('ix_check_ins_due_on'))

    op.drop_table('check_ins')
    with op.batch_alter_table('pair_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pair_rules_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_pair_rules_participant_id'))
        batch_op.drop_index(batch_op.f('ix_pair_rules_organisation_id'))

    op.drop_table('pair_rules')
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index('uq_matches_open_volunteer_slot', sqlite_where=sa.text("status IN ('proposed', 'approved', 'active')"), postgresql_where=sa.text("status IN ('proposed', 'approved', 'active')"))
        batch_op.drop_index('uq_matches_open_participant', sqlite_where=sa.text("status IN ('proposed', 'approved', 'active')"), postgresql_where=sa.text("status IN ('proposed', 'approved', 'active')"))
        batch_op.drop_index(batch_op.f('ix_matches_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_matches_run_id'))
        batch_op.drop_index(batch_op.f('ix_matches_participant_id'))
        batch_op.drop_index(batch_op.f('ix_matches_organisation_id'))

    op.drop_table('matches')
    with op.batch_alter_table('level_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_level_assessments_participant_id'))

    op.drop_table('level_assessments')
    with op.batch_alter_table('volunteer_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_profiles_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_profiles_neighbourhood_id'))

    op.drop_table('volunteer_profiles')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tokens_user_id'))

    op.drop_table('tokens')
    with op.batch_alter_table('participant_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_profiles_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_participant_profiles_neighbourhood_id'))

    op.drop_table('participant_profiles')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_user_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_state'))
        batch_op.drop_index(batch_op.f('ix_outbox_organisation_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('matching_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matching_runs_organisation_id'))

    op.drop_table('matching_runs')
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_records_user_id'))

    op.drop_table('consent_records')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))

    op.drop_table('users')
    with op.batch_alter_table('neighbourhoods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_neighbourhoods_organisation_id'))

    op.drop_table('neighbourhoods')
    with op.batch_alter_table('local_referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_local_referrals_organisation_id'))

    op.drop_table('local_referrals')
    op.drop_table('organisations')

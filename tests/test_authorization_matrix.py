"""The authorisation matrix: every route of the app × every kind of user, with the expected
outcome. A route without a row fails `test_every_route_has_a_row`, so a new page cannot
arrive without someone deciding who may use it.

Outcomes: ok = 200 page, go = redirect after success (or to a page), in = sent to sign in,
no = 403, nf = 404, bad = 400 (a form that was refused), cf = 409 conflict.

The JSON API has rows of its own (API_ROWS), run with a personal access token of every kind
of user that has all scopes (anonymous: no token). There `ok` is 200, `new` 201 Created,
`in` 401, `bad` 422. A row naming a `page` must agree with that page's row: the API adds no
rules of its own. Each row also checks that a token without the route's scope is refused."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask import g

from forum.extensions import db
from forum.models.accounts import ModeratorScope, Suspension
from forum.models.base import utcnow
from forum.models.discussion import PostStatus, Revision
from forum.models.jobs import FailedJob
from forum.models.moderation import Appeal, Flag
from forum.models.notifications import Notification
from forum.models.security import LoginSession, TrustedDevice
from forum.services.mail import preferences
from forum.services.moderation import modlog
from tests import factories

KINDS = ("anonymous", "new", "verified", "suspended", "author", "mod_other", "mod_here",
         "global_mod", "admin")


@dataclass
class Row:
    endpoint: str
    method: str
    url: Callable[[SimpleNamespace], str]
    expect: str  # one outcome per kind, in KINDS order
    data: Callable[[SimpleNamespace], dict] = field(default=lambda w: {})
    known_issue: str = ""  # a route that does not yet behave as the row says (strict xfail)

    def outcome_for(self, kind: str) -> str:
        outcomes = self.expect.split()
        assert len(outcomes) == len(KINDS), f"{self.endpoint}: {len(outcomes)} outcomes"
        return outcomes[KINDS.index(kind)]

    @property
    def id(self) -> str:
        return f"{self.endpoint}-{self.method}"


ALL_OK = "ok ok ok ok ok ok ok ok ok"
ALL_GO = "go go go go go go go go go"
ALL_IN = "in in in in in in in in in"
SIGNED_IN_GO = "in go go go go go go go go"
ALL_BAD = "bad bad bad bad bad bad bad bad bad"  # e.g. an emailed link that does not work  # sent to the sign-in page (e.g. no sign-in under way)
SIGNED_IN_OK = "in ok ok ok ok ok ok ok ok"
MOD_HERE_OK = "in no no no no no ok ok ok"  # moderators of the item's area (and global, admin)
MOD_HERE_GO = "in no no no no no go go go"
ANY_MOD_OK = "in no no no no ok ok ok ok"  # any moderator
GLOBAL_OK = "in no no no no no no ok ok"
GLOBAL_GO = "in no no no no no no go go"
ADMIN_OK = "in no no no no no no no ok"
ADMIN_GO = "in no no no no no no no go"
AUTHOR_OK = "in no no no ok no no no no"
AUTHOR_GO = "in no no no go no no no no"
TAKE_PART_OK = "in ok ok no ok ok ok ok ok"  # signed in and not suspended
TAKE_PART_GO = "in go go no go go go go go"
OPENS_OK = "in no ok no ok ok ok ok ok"  # proposals: verified members and moderators
OPENS_GO = "in no go no go go go go go"
PENDING_MOD_GO = "in nf nf nf no nf go go go"  # a pending post: its author sees it
ARCHIVE_OK = "nf nf ok nf nf nf ok ok ok"  # an invite-only archive: its invitee and area staff

ROWS = [
    # --- home, auth, profiles (lead) -------------------------------------------------------
    Row("static", "GET", lambda w: "/static/css/forum.css", ALL_OK),
    Row("health.check", "GET", lambda w: "/healthz", ALL_OK),
    Row("home.index", "GET", lambda w: "/", ALL_OK),
    Row("home.about", "GET", lambda w: "/about", ALL_OK),
    Row("search.page", "GET", lambda w: "/search?q=thread", ALL_OK),
    Row("home.set_language", "POST", lambda w: "/language", ALL_GO,
        lambda w: {"language": "en", "next": "/"}),
    Row("auth.login", "GET", lambda w: "/login", ALL_OK),
    Row("auth.login", "POST", lambda w: "/login", "bad bad bad bad bad bad bad bad bad",
        lambda w: {"email": "nobody@example.org", "password": "wrong password!"}),
    Row("auth.register", "GET", lambda w: "/register", ALL_OK),
    Row("auth.register", "POST", lambda w: "/register", "bad bad bad bad bad bad bad bad bad",
        lambda w: {"email": "not-an-email"}),
    Row("auth.logout", "POST", lambda w: "/logout", ALL_GO),
    Row("auth.change_password", "GET", lambda w: "/account/password", SIGNED_IN_OK),
    Row("auth.change_password", "POST", lambda w: "/account/password",
        "in bad bad bad bad bad bad bad bad",
        lambda w: {"current_password": "wrong", "new_password": "x"}),
    Row("auth.forgot_password", "GET", lambda w: "/password/forgot", ALL_OK),
    Row("auth.forgot_password", "POST", lambda w: "/password/forgot", ALL_OK,
        lambda w: {"email": "nobody@example.org"}),
    Row("auth.reset_password", "GET", lambda w: "/password/reset/not.a.token", ALL_BAD),
    Row("auth.reset_password", "POST", lambda w: "/password/reset/not.a.token", ALL_BAD,
        lambda w: {"new_password": "ny lång fras om hamnen", "confirm": "ny lång fras om hamnen"}),
    Row("auth.confirm_email", "GET", lambda w: "/account/confirm/not.a.token", ALL_BAD),
    Row("auth.confirm_email", "POST", lambda w: "/account/confirm/not.a.token", ALL_BAD),
    Row("auth.resend_confirmation", "POST", lambda w: "/account/confirm/send",
        "in go go go go go go go go"),
    Row("auth.two_factor_step", "GET", lambda w: "/login/two-factor", ALL_IN),
    Row("auth.two_factor_step", "POST", lambda w: "/login/two-factor", ALL_IN,
        lambda w: {"code": "123456"}),
    # --- security page (sessions, two-factor sign-in, remembered devices) -------------------
    Row("security.overview", "GET", lambda w: "/account/security", SIGNED_IN_OK),
    Row("security.two_factor_setup", "GET", lambda w: "/account/two-factor", SIGNED_IN_OK),
    Row("security.two_factor_setup", "POST", lambda w: "/account/two-factor",
        "in bad bad bad bad bad bad bad bad", lambda w: {"code": "000000"}),
    Row("security.disable_two_factor", "POST", lambda w: "/account/two-factor/disable",
        "in cf cf cf cf cf cf cf cf", lambda w: {"disable-password": "wrong"}),
    Row("security.new_recovery_codes", "POST", lambda w: "/account/two-factor/recovery-codes",
        "in bad bad bad bad bad bad bad bad", lambda w: {"codes-password": ""}),
    Row("security.end_session", "POST", lambda w: f"/account/sessions/{w.login.id}/end",
        "in nf nf nf go nf nf nf nf"),
    Row("security.end_other_sessions", "POST", lambda w: "/account/sessions/end-others",
        "in go go go go go go go go"),
    Row("security.forget_device", "POST", lambda w: f"/account/devices/{w.device.id}/forget",
        "in nf nf nf go nf nf nf nf"),
    Row("profiles.show", "GET", lambda w: f"/members/{w.author.id}", ALL_OK),
    Row("profiles.edit", "GET", lambda w: "/account/profile", SIGNED_IN_OK),
    Row("profiles.edit", "POST", lambda w: "/account/profile",
        "in bad bad bad bad bad bad bad bad", lambda w: {"display_name": ""}),
    Row("profiles.tokens", "GET", lambda w: "/account/tokens", SIGNED_IN_OK),
    Row("profiles.tokens", "POST", lambda w: "/account/tokens", SIGNED_IN_OK,
        lambda w: {"name": "matrix", "scopes": ["read"]}),
    Row("profiles.revoke_token", "POST", lambda w: f"/account/tokens/{w.token.id}/revoke",
        AUTHOR_GO),
    Row("profiles.set_verified", "POST", lambda w: f"/members/{w.new.id}/verification",
        "in no no no no go go go go", lambda w: {"verified": "1"}),
    Row("profiles.data", "GET", lambda w: "/account/data", SIGNED_IN_OK),
    Row("profiles.export", "GET", lambda w: "/account/data/export.json", SIGNED_IN_OK),
    Row("profiles.erase", "POST", lambda w: "/account/erase",
        "in bad bad bad bad bad bad bad bad", lambda w: {"password": "wrong"}),
    # --- topics and threads (discussion feature) ---------------------------------------------
    Row("topics.area", "GET", lambda w: f"/areas/{w.area.slug}", ALL_OK),
    Row("topics.show", "GET", lambda w: f"/topics/{w.topic.id}", ALL_OK),
    Row("topics.create", "GET", lambda w: f"/areas/{w.area.slug}/topics/new", MOD_HERE_OK),
    Row("topics.create", "POST", lambda w: f"/areas/{w.area.slug}/topics/new", MOD_HERE_GO,
        lambda w: {"title": "A new question", "framing": "Why it matters", "tags": ""}),
    Row("topics.edit", "GET", lambda w: f"/topics/{w.topic.id}/edit", MOD_HERE_OK),
    Row("topics.edit", "POST", lambda w: f"/topics/{w.topic.id}/edit", MOD_HERE_GO,
        lambda w: {"title": "Renamed", "framing": "Why", "tags": ""}),
    Row("topics.feature", "POST", lambda w: f"/topics/{w.topic.id}/feature", MOD_HERE_GO,
        lambda w: {"value": "1"}),
    Row("topics.pin", "POST", lambda w: f"/topics/{w.topic.id}/pin", MOD_HERE_GO,
        lambda w: {"value": "1"}),
    Row("topics.status", "POST", lambda w: f"/topics/{w.topic.id}/status", MOD_HERE_GO,
        lambda w: {"value": "closed"}),
    Row("threads.new", "GET", lambda w: f"/topics/{w.topic.id}/threads/new", TAKE_PART_OK),
    Row("threads.new", "POST", lambda w: f"/topics/{w.topic.id}/threads/new", TAKE_PART_GO,
        lambda w: {"title": "A thread", "body": "Opening words", "capacity": "personal"}),
    Row("threads.show", "GET", lambda w: f"/threads/{w.thread.id}?page=1", ALL_OK),
    Row("threads.permalink", "GET", lambda w: f"/p/{w.post.id}", ALL_GO),
    Row("threads.reply", "GET", lambda w: f"/threads/{w.thread.id}/reply", TAKE_PART_OK),
    Row("threads.reply", "POST", lambda w: f"/threads/{w.thread.id}/reply", TAKE_PART_GO,
        lambda w: {"body": "A reply", "capacity": "personal"}),
    Row("threads.edit", "GET", lambda w: f"/posts/{w.post.id}/edit", AUTHOR_OK),
    Row("threads.edit", "POST", lambda w: f"/posts/{w.post.id}/edit", AUTHOR_GO,
        lambda w: {"body": "Edited text", "capacity": "personal"}),
    Row("threads.delete", "POST", lambda w: f"/posts/{w.post.id}/delete", AUTHOR_GO),
    Row("threads.react", "POST", lambda w: f"/posts/{w.post.id}/react",
        "in go go no no go go go go", lambda w: {"kind": "agree", "on": "1"}),
    Row("threads.revisions", "GET", lambda w: f"/posts/{w.post.id}/revisions", ALL_OK),
    # --- moderation ----------------------------------------------------------------------------
    Row("moderation.log", "GET", lambda w: "/moderation/log", ALL_OK),
    Row("moderation.queue", "GET", lambda w: "/moderation/queue", ANY_MOD_OK),
    Row("moderation.suspensions", "GET", lambda w: "/moderation/suspensions", ANY_MOD_OK),
    Row("moderation.notices", "GET", lambda w: "/moderation/notifications", SIGNED_IN_GO),
    Row("moderation.flag", "GET", lambda w: f"/moderation/flag/post/{w.post.id}",
        "in ok ok no no ok ok ok ok"),
    Row("moderation.flag", "POST", lambda w: f"/moderation/flag/post/{w.post.id}",
        "in go go no no go go go go", lambda w: {"reason": "spam"}),
    Row("moderation.item", "GET", lambda w: f"/moderation/queue/post/{w.post.id}", MOD_HERE_OK),
    Row("moderation.item", "POST", lambda w: f"/moderation/queue/post/{w.post.id}",
        MOD_HERE_GO, lambda w: {"decision": "dismiss", "reason": ""}),
    Row("moderation.hide", "POST", lambda w: f"/moderation/post/{w.post.id}/hide", MOD_HERE_GO,
        lambda w: {"reason": "Off topic"}),
    Row("moderation.restore", "POST", lambda w: f"/moderation/post/{w.hidden.id}/restore",
        MOD_HERE_GO),
    Row("moderation.edit_out", "GET", lambda w: f"/moderation/posts/{w.post.id}/edit-out",
        MOD_HERE_OK),
    Row("moderation.edit_out", "POST", lambda w: f"/moderation/posts/{w.post.id}/edit-out",
        MOD_HERE_GO, lambda w: {"new_body": "[removed]", "reason": "Phone number"}),
    Row("moderation.restore_revision", "POST",
        lambda w: f"/moderation/revisions/{w.revision.id}/restore", MOD_HERE_GO,
        lambda w: {"reason": "Not personal after all"}),
    # A post awaiting approval is seen only by its author and the area's moderators: to the
    # rest it does not exist, so acting on it is "not found" (as its permalink is).
    Row("moderation.approve", "POST", lambda w: f"/moderation/posts/{w.pending.id}/approve",
        PENDING_MOD_GO),
    Row("moderation.reject", "POST", lambda w: f"/moderation/posts/{w.pending.id}/reject",
        PENDING_MOD_GO, lambda w: {"reason": "Off topic"}),
    Row("moderation.lock", "POST", lambda w: f"/moderation/threads/{w.thread.id}/lock",
        MOD_HERE_GO, lambda w: {"locked": "1"}),
    Row("moderation.pin", "POST", lambda w: f"/moderation/threads/{w.thread.id}/pin",
        MOD_HERE_GO, lambda w: {"pinned": "1"}),
    Row("moderation.move", "GET", lambda w: f"/moderation/threads/{w.thread.id}/move",
        MOD_HERE_OK),
    Row("moderation.move", "POST", lambda w: f"/moderation/threads/{w.thread.id}/move",
        MOD_HERE_GO, lambda w: {"topic_id": str(w.topic2.id)}),
    Row("moderation.merge", "GET", lambda w: f"/moderation/threads/{w.thread.id}/merge",
        MOD_HERE_OK),
    Row("moderation.merge", "POST", lambda w: f"/moderation/threads/{w.thread.id}/merge",
        MOD_HERE_GO, lambda w: {"target_id": str(w.thread2.id)}),
    Row("moderation.unmerge", "POST", lambda w: f"/moderation/threads/{w.merged.id}/unmerge",
        "in nf nf nf nf nf go go go"),  # a merged thread is seen by the area's moderators
    Row("moderation.suspend", "GET", lambda w: f"/moderation/members/{w.new.id}/suspend",
        GLOBAL_OK),
    Row("moderation.suspend", "POST", lambda w: f"/moderation/members/{w.new.id}/suspend",
        GLOBAL_GO, lambda w: {"reason": "Spam"}),
    Row("moderation.lift", "POST", lambda w: f"/moderation/suspensions/{w.suspension.id}/lift",
        GLOBAL_GO, lambda w: {"reason": "Served"}),
    Row("moderation.appeal_item", "GET",
        lambda w: f"/moderation/appeal/post/{w.hidden.id}", "in nf nf nf go nf nf nf nf"),
    Row("moderation.new_appeal", "GET", lambda w: f"/moderation/appeals/new/{w.hide_entry.id}",
        AUTHOR_OK),
    Row("moderation.new_appeal", "POST",
        lambda w: f"/moderation/appeals/new/{w.hide_entry.id}", AUTHOR_GO,
        lambda w: {"text": "It was on topic"}),
    Row("moderation.appeal", "GET", lambda w: f"/moderation/appeals/{w.appeal.id}", MOD_HERE_OK),
    Row("moderation.appeal", "POST", lambda w: f"/moderation/appeals/{w.appeal.id}",
        "in no no no no no go go go", lambda w: {"outcome": "uphold", "reason": "Stands"}),
    # --- admin --------------------------------------------------------------------------------
    Row("admin.index", "GET", lambda w: "/admin/", ADMIN_OK),
    Row("admin.index", "POST", lambda w: "/admin/", ADMIN_GO, lambda w: {"email": w.new.email}),
    Row("admin.security", "GET", lambda w: "/admin/security", ADMIN_OK),
    Row("admin.security", "POST", lambda w: "/admin/security", ADMIN_GO),
    Row("admin.member", "GET", lambda w: f"/admin/members/{w.new.id}", ADMIN_OK),
    Row("admin.member", "POST", lambda w: f"/admin/members/{w.new.id}", ADMIN_GO,
        lambda w: {"role": "moderator", "areas": [str(w.area.id)]}),
    Row("admin.jobs", "GET", lambda w: "/admin/jobs", ADMIN_OK),
    Row("admin.retry_job", "POST", lambda w: f"/admin/jobs/{w.failed_job.id}/retry", ADMIN_GO),
    Row("admin.webhooks_index", "GET", lambda w: "/admin/webhooks", ADMIN_OK),
    Row("admin.webhooks_index", "POST", lambda w: "/admin/webhooks", ADMIN_GO,
        lambda w: _webhook_form()),
    Row("admin.webhook", "GET", lambda w: f"/admin/webhooks/{w.webhook.id}", ADMIN_OK),
    Row("admin.webhook", "POST", lambda w: f"/admin/webhooks/{w.webhook.id}", ADMIN_GO,
        lambda w: _webhook_form()),
    Row("admin.delete_webhook", "POST", lambda w: f"/admin/webhooks/{w.webhook.id}/delete",
        ADMIN_GO),
    Row("admin.resend_delivery", "POST",
        lambda w: f"/admin/webhooks/{w.webhook.id}/deliveries/{w.delivery.id}/resend", ADMIN_GO),
    # --- email ------------------------------------------------------------------------------
    Row("mail.unsubscribe", "GET", lambda w: f"/unsubscribe/{w.unsubscribe_token}", ALL_OK),
    Row("mail.unsubscribe", "POST", lambda w: f"/unsubscribe/{w.unsubscribe_token}", ALL_OK),
    # --- notifications and following -----------------------------------------------------
    Row("notifications.index", "GET", lambda w: "/notifications", SIGNED_IN_OK),
    Row("notifications.mark_read", "POST", lambda w: "/notifications/read", SIGNED_IN_GO),
    Row("notifications.mark_one_read", "POST", lambda w: f"/notifications/{w.notice.id}/read",
        "in nf nf nf go nf nf nf nf"),  # one's own notices only
    Row("notifications.open_notice", "GET", lambda w: f"/notifications/{w.notice.id}/open",
        "in nf nf nf go nf nf nf nf"),
    Row("notifications.follow", "POST", lambda w: f"/follow/thread/{w.thread.id}", SIGNED_IN_GO),
    # an invite-only session is "not found" to those not invited (staff of its area see it)
    Row("notifications.follow", "POST", lambda w: f"/follow/session/{w.secret_live.id}",
        "in nf nf nf nf nf go go go"),
    Row("notifications.unfollow", "POST", lambda w: f"/unfollow/thread/{w.thread.id}",
        SIGNED_IN_GO),
    Row("notifications.followed", "GET", lambda w: "/account/following", SIGNED_IN_OK),
    Row("notifications.settings_page", "GET", lambda w: "/account/notifications", SIGNED_IN_OK),
    Row("notifications.settings_page", "POST", lambda w: "/account/notifications",
        "in bad bad bad bad bad bad bad bad", lambda w: {"mail_reply": "weekly"}),
    # --- live sessions --------------------------------------------------------------------
    # --- feeds (public: the same for everyone; the private calendar: its secret alone) ------
    Row("feeds.latest", "GET", lambda w: "/feeds/latest.atom", ALL_OK),
    Row("feeds.area", "GET", lambda w: f"/feeds/areas/{w.area.slug}.atom", ALL_OK),
    Row("feeds.topic", "GET", lambda w: f"/feeds/topics/{w.topic.id}.atom", ALL_OK),
    Row("feeds.thread", "GET", lambda w: f"/feeds/threads/{w.thread.id}.atom", ALL_OK),
    Row("feeds.live_calendar", "GET", lambda w: "/feeds/live.ics", ALL_OK),
    Row("feeds.member_calendar", "GET", lambda w: "/feeds/my-sessions/rdc_not-a-secret.ics",
        "nf nf nf nf nf nf nf nf nf"),
    Row("feeds.account", "GET", lambda w: "/account/calendar", SIGNED_IN_OK),
    Row("feeds.renew", "POST", lambda w: "/account/calendar/renew", SIGNED_IN_OK),
    Row("feeds.revoke", "POST", lambda w: "/account/calendar/revoke",
        "in go go go go go go go go"),
    Row("live.index", "GET", lambda w: "/live/", ALL_OK),
    Row("live.show", "GET", lambda w: f"/live/{w.live.id}", ALL_OK),
    Row("live.calendar", "GET", lambda w: f"/live/{w.live.id}/calendar.ics", ALL_OK),
    Row("live.rsvp", "POST", lambda w: f"/live/{w.live.id}/rsvp", TAKE_PART_GO),
    # Withdrawing one's own RSVP stays open to a suspended member.
    Row("live.cancel_rsvp", "POST", lambda w: f"/live/{w.live.id}/rsvp/cancel",
        "in go go go go go go go go"),
    Row("live.create", "GET", lambda w: "/live/new", ANY_MOD_OK),
    Row("live.create", "POST", lambda w: "/live/new", "in no no no no bad bad bad bad",
        lambda w: {"title": ""}),
    Row("live.edit", "GET", lambda w: f"/live/{w.live.id}/edit", MOD_HERE_OK),
    Row("live.edit", "POST", lambda w: f"/live/{w.live.id}/edit",
        "in no no no no no bad bad bad", lambda w: {"title": ""}),
    Row("live.cancel", "POST", lambda w: f"/live/{w.live.id}/cancel", MOD_HERE_GO,
        lambda w: {"reason": "Speaker ill"}),
    # --- deliberation: proposals, outcomes, commitments ---------------------------------------
    Row("deliberation.new_proposal", "GET", lambda w: f"/threads/{w.thread.id}/proposals/new",
        OPENS_OK),
    Row("deliberation.new_proposal", "POST", lambda w: f"/threads/{w.thread.id}/proposals/new",
        OPENS_GO, lambda w: _proposal_form("members")),
    Row("deliberation.new_session_proposal", "GET",
        lambda w: f"/live/{w.live_now.id}/proposals/new", OPENS_OK),
    Row("deliberation.new_session_proposal", "POST",
        lambda w: f"/live/{w.live_now.id}/proposals/new", OPENS_GO,
        lambda w: _proposal_form("session")),
    Row("deliberation.show", "GET", lambda w: f"/proposals/{w.proposal.id}", ALL_OK),
    Row("deliberation.card", "GET", lambda w: f"/proposals/{w.proposal.id}/card", ALL_OK),
    Row("deliberation.position", "POST", lambda w: f"/proposals/{w.proposal.id}/position",
        TAKE_PART_GO, lambda w: {"stance": "agree", "reason": ""}),
    Row("deliberation.close", "POST", lambda w: f"/proposals/{w.proposal.id}/close",
        MOD_HERE_GO, lambda w: {"reason": "Decided"}),
    Row("deliberation.outcome", "GET", lambda w: f"/proposals/{w.closed.id}/outcome",
        MOD_HERE_OK),
    Row("deliberation.outcome", "POST", lambda w: f"/proposals/{w.closed.id}/outcome",
        MOD_HERE_GO, lambda w: {"kind": "amended", "decision": "Adopted with a cap"}),
    Row("deliberation.new_outcome_commitment", "GET",
        lambda w: f"/proposals/{w.closed.id}/commitments/new", MOD_HERE_OK),
    Row("deliberation.new_outcome_commitment", "POST",
        lambda w: f"/proposals/{w.closed.id}/commitments/new", MOD_HERE_GO,
        lambda w: _commitment_form(w)),
    Row("deliberation.new_session_commitment", "GET",
        lambda w: f"/live/{w.live.id}/commitments/new", MOD_HERE_OK),
    Row("deliberation.new_session_commitment", "POST",
        lambda w: f"/live/{w.live.id}/commitments/new", MOD_HERE_GO,
        lambda w: _commitment_form(w)),
    Row("deliberation.ledger", "GET", lambda w: "/commitments", ALL_OK),
    Row("deliberation.commitment", "GET", lambda w: f"/commitments/{w.commitment.id}", ALL_OK),
    Row("deliberation.update_commitment", "POST",
        lambda w: f"/commitments/{w.commitment.id}/status", AUTHOR_GO,
        lambda w: {"status": "in_progress", "note": "Tender out"}),
    # --- deliberation: statement rounds ---------------------------------------------------------
    Row("deliberation.new_round", "GET", lambda w: f"/threads/{w.thread.id}/rounds/new",
        MOD_HERE_OK),
    Row("deliberation.new_round", "POST", lambda w: f"/threads/{w.thread.id}/rounds/new",
        MOD_HERE_GO, lambda w: _round_form("members")),
    Row("deliberation.new_session_round", "GET",
        lambda w: f"/live/{w.live_now.id}/rounds/new", MOD_HERE_OK),
    Row("deliberation.new_session_round", "POST",
        lambda w: f"/live/{w.live_now.id}/rounds/new", MOD_HERE_GO,
        lambda w: _round_form("session")),
    Row("deliberation.show_round", "GET", lambda w: f"/rounds/{w.round.id}", ALL_OK),
    Row("deliberation.round_results_page", "GET", lambda w: f"/rounds/{w.round.id}/results",
        ALL_OK),
    Row("deliberation.submit_statement", "POST", lambda w: f"/rounds/{w.round.id}/statements",
        TAKE_PART_GO, lambda w: {"text": "The quay stays open to everyone"}),
    # the author wrote the statement: one's own is neither voted on nor flagged (400)
    Row("deliberation.vote", "POST", lambda w: f"/rounds/{w.round.id}/vote",
        "in go go no bad go go go go",
        lambda w: {"statement_id": w.statement.id, "choice": "agree"}),
    Row("deliberation.flag_statement", "POST",
        lambda w: f"/rounds/statements/{w.statement.id}/flag", "in go go no bad go go go go",
        lambda w: {"reason": "spam"}),
    Row("deliberation.close_round", "POST", lambda w: f"/rounds/{w.round.id}/close",
        MOD_HERE_GO, lambda w: {"reason": "Enough"}),
    Row("deliberation.approve_statement", "POST",
        lambda w: f"/rounds/statements/{w.held_statement.id}/approve", MOD_HERE_GO),
    Row("deliberation.reject_statement", "POST",
        lambda w: f"/rounds/statements/{w.held_statement.id}/reject", MOD_HERE_GO,
        lambda w: {"reason": "Off topic"}),
    Row("deliberation.hide_statement", "POST",
        lambda w: f"/rounds/statements/{w.statement.id}/hide", MOD_HERE_GO,
        lambda w: {"reason": "Personal data"}),
    Row("deliberation.restore_statement", "POST",
        lambda w: f"/rounds/statements/{w.hidden_statement.id}/restore", MOD_HERE_GO),
    Row("deliberation.dismiss_statement_flags", "POST",
        lambda w: f"/rounds/statements/{w.flagged_statement.id}/dismiss-flags", MOD_HERE_GO,
        lambda w: {"reason": "Not upheld"}),
    # the archive of an ended invite-only session: "not found" to all but its invitee
    # (verified) and the area's staff; the feed is for everyone, so it never carries it
    Row("threads.show", "GET", lambda w: f"/threads/{w.archive.id}", ARCHIVE_OK),
    Row("threads.permalink", "GET", lambda w: f"/p/{w.archive_post.id}",
        "nf nf go nf nf nf go go go"),
    Row("threads.revisions", "GET", lambda w: f"/posts/{w.archive_post.id}/revisions",
        ARCHIVE_OK),
    Row("threads.reply", "POST", lambda w: f"/threads/{w.archive.id}/reply",
        "in nf go nf nf nf go go go", lambda w: {"body": "A reply", "capacity": "personal"}),
    Row("notifications.follow", "POST", lambda w: f"/follow/thread/{w.archive.id}",
        "in nf go nf nf nf go go go"),
    Row("feeds.thread", "GET", lambda w: f"/feeds/threads/{w.archive.id}.atom",
        "nf nf nf nf nf nf nf nf nf"),
]


def _proposal_form(participation: str) -> dict:
    closes = (utcnow() + timedelta(days=3)).astimezone(ZoneInfo("Europe/Stockholm"))
    return {"title": "Car-free Stortorget", "statement": "Stortorget becomes car-free.",
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"), "participation": participation}


def _proposal_json(participation: str) -> dict:
    return {"title": "Car-free Stortorget", "statement": "Stortorget becomes car-free.",
            "closes_at": (utcnow() + timedelta(days=3)).isoformat(),
            "participation": participation}


def _commitment_json(w) -> dict:
    day = (utcnow() + timedelta(days=30)).date().isoformat()
    return {"owner_email": w.author.email, "text": "Publish the plan", "due_on": day,
            "review_on": day}


def _webhook_form() -> dict:
    return {"url": "http://127.0.0.1:9/hooks", "kinds": ["post.created", "thread.created"],
            "description": "Intranet", "active": "y"}


def _round_form(participation: str) -> dict:
    closes = (utcnow() + timedelta(days=3)).astimezone(ZoneInfo("Europe/Stockholm"))
    return {"question": "How should the harbour develop?",
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"), "participation": participation}


def _commitment_form(w) -> dict:
    day = (utcnow() + timedelta(days=30)).date().isoformat()
    return {"owner_email": w.author.email, "text": "Publish the plan", "due_on": day,
            "review_on": day}


@dataclass
class ApiRow(Row):
    page: str = ""  # "endpoint METHOD" of the page row this one must agree with


API_OK = "ok ok ok ok ok ok ok ok ok"
API_SIGNED_IN = "in ok ok ok ok ok ok ok ok"
API_TAKE_PART = "in new new no new new new new new"
API_OPENS = "in no new no new new new new new"
API_ADMIN = "in no no no no no no no ok"
API_LIVE = "in ok ok no ok ok ok ok ok"  # may act in the live room: signed in, not suspended
API_ADMIN_NEW = "in no no no no no no no new"
A = "/api/v1"

API_ROWS = [
    ApiRow("api-docs.openapi_json", "GET", lambda w: f"{A}/openapi.json", API_OK),
    ApiRow("api_pages.docs", "GET", lambda w: f"{A}/docs", API_OK),
    ApiRow("api_meta.problem_type", "GET", lambda w: f"{A}/problems/not-found", API_OK),
    ApiRow("api_discussion.areas", "GET", lambda w: f"{A}/areas", API_OK),
    ApiRow("api_discussion.area", "GET", lambda w: f"{A}/areas/{w.area.slug}", API_OK,
           page="topics.area GET"),
    ApiRow("api_discussion.topics", "GET", lambda w: f"{A}/areas/{w.area.slug}/topics", API_OK),
    ApiRow("api_discussion.create_topic", "POST", lambda w: f"{A}/areas/{w.area.slug}/topics",
           "in no no no no no new new new", lambda w: {"title": "A question", "framing": "Why"},
           page="topics.create POST"),
    ApiRow("api_discussion.topic", "GET", lambda w: f"{A}/topics/{w.topic.id}", API_OK,
           page="topics.show GET"),
    ApiRow("api_discussion.threads", "GET", lambda w: f"{A}/topics/{w.topic.id}/threads",
           API_OK),
    ApiRow("api_discussion.create_thread", "POST", lambda w: f"{A}/topics/{w.topic.id}/threads",
           API_TAKE_PART, lambda w: {"title": "A thread", "body": "Opening words"},
           page="threads.new POST"),
    ApiRow("api_discussion.thread", "GET", lambda w: f"{A}/threads/{w.thread.id}", API_OK,
           page="threads.show GET"),
    ApiRow("api_discussion.posts", "GET", lambda w: f"{A}/threads/{w.thread.id}/posts", API_OK),
    ApiRow("api_discussion.create_post", "POST", lambda w: f"{A}/threads/{w.thread.id}/posts",
           API_TAKE_PART, lambda w: {"body": "A reply"}, page="threads.reply POST"),
    ApiRow("api_discussion.post", "GET", lambda w: f"{A}/posts/{w.post.id}", API_OK),
    ApiRow("api_discussion.edit_post", "PATCH", lambda w: f"{A}/posts/{w.post.id}",
           "in no no no ok no no no no", lambda w: {"body": "Edited text"},
           page="threads.edit POST"),
    ApiRow("api_discussion.delete_post", "DELETE", lambda w: f"{A}/posts/{w.post.id}",
           "in no no no ok no no no no", page="threads.delete POST"),
    ApiRow("api_discussion.replies", "GET", lambda w: f"{A}/posts/{w.post.id}/replies", API_OK),
    ApiRow("api_discussion.revisions", "GET", lambda w: f"{A}/posts/{w.post.id}/revisions",
           API_OK, page="threads.revisions GET"),
    ApiRow("api_discussion.reactions", "GET", lambda w: f"{A}/posts/{w.post.id}/reactions",
           API_OK),
    ApiRow("api_discussion.react", "PUT", lambda w: f"{A}/posts/{w.post.id}/reactions/agree",
           "in ok ok no no ok ok ok ok", page="threads.react POST"),
    ApiRow("api_discussion.unreact", "DELETE",
           lambda w: f"{A}/posts/{w.post.id}/reactions/agree", "in ok ok no no ok ok ok ok",
           page="threads.react POST"),
    ApiRow("api_moderation.flag_post", "POST", lambda w: f"{A}/posts/{w.post.id}/flags",
           "in new new no no new new new new", lambda w: {"reason": "spam"},
           page="moderation.flag POST"),
    ApiRow("api_moderation.flag_thread", "POST", lambda w: f"{A}/threads/{w.thread.id}/flags",
           "in new new no no new new new new", lambda w: {"reason": "spam"}),
    ApiRow("api_moderation.flags", "GET", lambda w: f"{A}/flags", "in no no no no ok ok ok ok",
           page="moderation.queue GET"),
    ApiRow("api_moderation.flag", "GET", lambda w: f"{A}/flags/{w.flag.id}",
           "in nf nf nf nf nf ok ok ok"),  # by mod_x: the area's moderators see it
    ApiRow("api_moderation.decide", "POST", lambda w: f"{A}/moderation/decisions",
           "in no no no no no ok ok ok",
           lambda w: {"target_type": "post", "target_id": w.post.id, "decision": "dismiss"},
           page="moderation.item POST"),
    ApiRow("api_live.index", "GET", lambda w: f"{A}/live-sessions", API_OK,
           page="live.index GET"),
    ApiRow("api_live.session", "GET", lambda w: f"{A}/live-sessions/{w.live.id}", API_OK,
           page="live.show GET"),
    ApiRow("api_live.questions", "GET", lambda w: f"{A}/live-sessions/{w.live.id}/questions",
           API_OK),
    ApiRow("api_live.ask", "POST", lambda w: f"{A}/live-sessions/{w.live.id}/questions",
           "in no no no no no no no no", lambda w: {"body": "Before it starts?"}),
    ApiRow("api_live.upvote", "PUT",
           lambda w: f"{A}/live-sessions/{w.live_now.id}/questions/{w.question.id}/upvote",
           API_LIVE),
    ApiRow("api_live.polls", "GET", lambda w: f"{A}/live-sessions/{w.live.id}/polls", API_OK),
    ApiRow("api_live.vote", "PUT",
           lambda w: f"{A}/live-sessions/{w.live_now.id}/polls/{w.poll.id}/ballot", API_LIVE,
           lambda w: {"choice": 0}),
    ApiRow("api_live.rsvp", "PUT", lambda w: f"{A}/live-sessions/{w.live.id}/rsvp",
           "in ok ok no ok ok ok ok ok", page="live.rsvp POST"),
    ApiRow("api_live.cancel_rsvp", "DELETE", lambda w: f"{A}/live-sessions/{w.live.id}/rsvp",
           API_SIGNED_IN, page="live.cancel_rsvp POST"),
    ApiRow("api_live.record", "GET", lambda w: f"{A}/live-sessions/{w.live.id}/record",
           "cf cf cf cf cf cf cf cf cf"),
    ApiRow("api_rounds.round", "GET", lambda w: f"{A}/rounds/{w.round.id}", API_OK,
           page="deliberation.show_round GET"),
    ApiRow("api_rounds.submit", "POST", lambda w: f"{A}/rounds/{w.round.id}/statements",
           API_TAKE_PART, lambda w: {"text": "The quay stays open to everyone"},
           page="deliberation.submit_statement POST"),
    # the author wrote the statement: no vote on one's own
    ApiRow("api_rounds.vote", "POST", lambda w: f"{A}/rounds/{w.round.id}/votes",
           "in ok ok no bad ok ok ok ok",
           lambda w: {"statement_id": w.statement.id, "choice": "agree"},
           page="deliberation.vote POST"),
    ApiRow("api_search.find", "GET", lambda w: f"{A}/search?q=thread", API_OK,
           page="search.page GET"),
    ApiRow("api_members.member", "GET", lambda w: f"{A}/members/{w.author.id}", API_OK,
           page="profiles.show GET"),
    ApiRow("api_members.me", "GET", lambda w: f"{A}/me", API_SIGNED_IN),
    ApiRow("api_members.notices", "GET", lambda w: f"{A}/me/notifications", API_SIGNED_IN,
           page="notifications.index GET"),
    ApiRow("api_members.mark_read", "POST", lambda w: f"{A}/me/notifications/read",
           API_SIGNED_IN),
    ApiRow("api_members.mark_one_read", "POST",
           lambda w: f"{A}/me/notifications/{w.notice.id}/read", "in nf nf nf ok nf nf nf nf",
           page="notifications.mark_one_read POST"),
    ApiRow("api_members.subscriptions", "GET", lambda w: f"{A}/me/subscriptions",
           API_SIGNED_IN, page="notifications.followed GET"),
    ApiRow("api_members.follow", "PUT", lambda w: f"{A}/me/subscriptions/thread/{w.thread.id}",
           API_SIGNED_IN),
    # an invite-only session is "not found" to those not invited (staff of its area see it)
    ApiRow("api_members.follow", "PUT",
           lambda w: f"{A}/me/subscriptions/session/{w.secret_live.id}",
           "in nf nf nf nf nf ok ok ok", page="notifications.follow POST#2"),
    ApiRow("api_members.unfollow", "DELETE",
           lambda w: f"{A}/me/subscriptions/thread/{w.thread.id}", API_SIGNED_IN,
           page="notifications.unfollow POST"),
    # deliberation
    ApiRow("api_deliberation.thread_proposals", "GET",
           lambda w: f"{A}/threads/{w.thread.id}/proposals", API_OK),
    ApiRow("api_deliberation.open_in_thread", "POST",
           lambda w: f"{A}/threads/{w.thread.id}/proposals", API_OPENS,
           lambda w: _proposal_json("members"), page="deliberation.new_proposal POST"),
    ApiRow("api_deliberation.session_proposals", "GET",
           lambda w: f"{A}/live-sessions/{w.live_now.id}/proposals", API_OK),
    ApiRow("api_deliberation.open_in_session", "POST",
           lambda w: f"{A}/live-sessions/{w.live_now.id}/proposals", API_OPENS,
           lambda w: _proposal_json("session"), page="deliberation.new_session_proposal POST"),
    ApiRow("api_deliberation.proposal", "GET", lambda w: f"{A}/proposals/{w.proposal.id}",
           API_OK, page="deliberation.show GET"),
    ApiRow("api_deliberation.close", "POST", lambda w: f"{A}/proposals/{w.proposal.id}/close",
           "in no no no no no ok ok ok", lambda w: {"reason": "Decided"},
           page="deliberation.close POST"),
    ApiRow("api_deliberation.position_list", "GET",
           lambda w: f"{A}/proposals/{w.proposal.id}/positions", API_OK),
    ApiRow("api_deliberation.take_position", "POST",
           lambda w: f"{A}/proposals/{w.proposal.id}/positions", API_TAKE_PART,
           lambda w: {"stance": "agree"}, page="deliberation.position POST"),
    ApiRow("api_deliberation.outcome", "GET", lambda w: f"{A}/proposals/{w.closed.id}/outcome",
           API_OK),
    ApiRow("api_deliberation.record_outcome", "PUT",
           lambda w: f"{A}/proposals/{w.closed.id}/outcome", "in no no no no no ok ok ok",
           lambda w: {"kind": "amended", "decision": "Adopted with a cap"},
           page="deliberation.outcome POST"),
    ApiRow("api_deliberation.ledger", "GET", lambda w: f"{A}/commitments", API_OK,
           page="deliberation.ledger GET"),
    ApiRow("api_deliberation.commitment", "GET", lambda w: f"{A}/commitments/{w.commitment.id}",
           API_OK, page="deliberation.commitment GET"),
    ApiRow("api_deliberation.record_outcome_commitment", "POST",
           lambda w: f"{A}/proposals/{w.closed.id}/commitments", "in no no no no no new new new",
           lambda w: _commitment_json(w), page="deliberation.new_outcome_commitment POST"),
    ApiRow("api_deliberation.record_session_commitment", "POST",
           lambda w: f"{A}/live-sessions/{w.live.id}/commitments",
           "in no no no no no new new new", lambda w: _commitment_json(w),
           page="deliberation.new_session_commitment POST"),
    ApiRow("api_deliberation.report", "POST",
           lambda w: f"{A}/commitments/{w.commitment.id}/updates", "in no no no new no no no no",
           lambda w: {"status": "in_progress", "note": "Tender out"},
           page="deliberation.update_commitment POST"),
    # webhooks (admins)
    ApiRow("api_webhooks.endpoint_list", "GET", lambda w: f"{A}/webhooks", API_ADMIN,
           page="admin.webhooks_index GET"),
    ApiRow("api_webhooks.create", "POST", lambda w: f"{A}/webhooks", API_ADMIN_NEW,
           lambda w: {"url": "http://127.0.0.1:9/hooks", "kinds": ["post.created"]},
           page="admin.webhooks_index POST"),
    ApiRow("api_webhooks.endpoint", "GET", lambda w: f"{A}/webhooks/{w.webhook.id}", API_ADMIN,
           page="admin.webhook GET"),
    ApiRow("api_webhooks.edit", "PATCH", lambda w: f"{A}/webhooks/{w.webhook.id}", API_ADMIN,
           lambda w: {"description": "Dashboard"}, page="admin.webhook POST"),
    ApiRow("api_webhooks.delete", "DELETE", lambda w: f"{A}/webhooks/{w.webhook.id}",
           API_ADMIN, page="admin.delete_webhook POST"),
    ApiRow("api_webhooks.deliveries", "GET", lambda w: f"{A}/webhooks/{w.webhook.id}/deliveries",
           API_ADMIN, page="admin.webhook GET"),
    ApiRow("api_webhooks.redeliver", "POST",
           lambda w: f"{A}/webhooks/{w.webhook.id}/deliveries/{w.delivery.id}/redeliver",
           API_ADMIN_NEW, page="admin.resend_delivery POST"),
    # the archive of an ended invite-only session: "not found" to all but its invitee
    # (verified) and the area's staff; the feed is for everyone, so it never carries it
    ApiRow("api_discussion.thread", "GET", lambda w: f"{A}/threads/{w.archive.id}", ARCHIVE_OK),
    ApiRow("api_discussion.posts", "GET", lambda w: f"{A}/threads/{w.archive.id}/posts",
           ARCHIVE_OK),
    ApiRow("api_discussion.post", "GET", lambda w: f"{A}/posts/{w.archive_post.id}", ARCHIVE_OK),
    ApiRow("api_discussion.revisions", "GET",
           lambda w: f"{A}/posts/{w.archive_post.id}/revisions", ARCHIVE_OK),
    ApiRow("api_discussion.create_post", "POST", lambda w: f"{A}/threads/{w.archive.id}/posts",
           "in nf new nf nf nf new new new", lambda w: {"body": "A reply"}),
]


def _world() -> SimpleNamespace:
    """One small forum: two areas, a thread with posts in every state, decisions, an appeal,
    a suspension, a live session, and one member of every kind. Rows are inserted directly
    and committed once, so a world is cheap to rebuild."""
    from forum.models.accounts import AccessToken, Role, User
    from forum.models.discussion import Post, Thread, Topic
    from forum.models.live import LiveSession, SessionStatus, Visibility

    w = SimpleNamespace(anonymous=None)
    w.area, other = factories.focus_area("city-governance"), factories.focus_area("quality-of-life")
    old, now = utcnow() - timedelta(days=400), utcnow()
    people = {"new": (Role.MEMBER, None, now), "verified": (Role.MEMBER, old, old),
              "suspended": (Role.MEMBER, old, old), "author": (Role.MEMBER, old, old),
              "mod_other": (Role.MODERATOR, old, old), "mod_here": (Role.MODERATOR, old, old),
              "mod_x": (Role.MODERATOR, old, old), "global_mod": (Role.MODERATOR, old, old),
              "admin": (Role.ADMIN, old, old)}
    for name, (role, verified_at, created_at) in people.items():
        user = User(email=f"{name}@matrix.example.org", display_name=name.title(), role=role,
                    sector="politics", password_hash=factories._hash(),
                    verified_at=verified_at, created_at=created_at, email_confirmed_at=created_at)
        db.session.add(user)
        setattr(w, name, user)
    db.session.flush()
    for mod, area in ((w.mod_other, other), (w.mod_here, w.area), (w.mod_x, w.area)):
        db.session.add(ModeratorScope(user_id=mod.id, focus_area_id=area.id))
    w.topic, w.topic2 = (Topic(focus_area_id=w.area.id, title=t) for t in ("T1", "T2"))
    db.session.add_all([w.topic, w.topic2])
    db.session.flush()
    w.thread, w.thread2, w.merged = (
        Thread(topic_id=w.topic.id, title=t, author_id=a.id, post_count=1, last_position=1)
        for t, a in (("H1", w.author), ("H2", w.verified), ("H3", w.verified)))
    db.session.add_all([w.thread, w.thread2, w.merged])
    db.session.flush()
    w.merged.merged_into_id = w.thread2.id

    def post(thread, position, **extra):
        row = Post(thread_id=thread.id, position=position, author_id=thread.author_id,
                   body_source="Text 070-1", body_html="<p>Text 070-1</p>", **extra)
        db.session.add(row)
        return row

    post(w.thread, 1), post(w.thread2, 1), post(w.merged, 1)
    w.post = post(w.thread, 2)
    w.hidden = post(w.thread, 3, hidden_at=now, hidden_reason="x", hidden_by_id=w.mod_x.id)
    w.pending = post(w.thread, None, status=PostStatus.PENDING)  # no position until approved
    w.thread.last_position = 3
    db.session.flush()
    area_id = w.area.id
    modlog.record(w.mod_x, "merge_thread", "thread", w.merged.id, focus_area_id=area_id,
                  details={"into": w.thread2.id, "posts": []})
    w.hide_entry = modlog.record(w.mod_x, "hide_post", "post", w.hidden.id, reason="x",
                                 focus_area_id=area_id, subject_user_id=w.author.id)
    warn = modlog.record(w.mod_x, "warn_member", "user", w.author.id, reason="Tone",
                         focus_area_id=area_id, subject_user_id=w.author.id)
    db.session.flush()
    w.appeal = Appeal(action_id=warn.id, appellant_id=w.author.id, text="Unfair")
    w.revision = Revision(post_id=w.post.id, editor_id=w.mod_x.id, body_source="Text 070-12",
                          moderator_only=True, reason="Phone")
    w.suspension = Suspension(user_id=w.suspended.id, reason="Attacks", created_by_id=w.mod_x.id)
    w.token = AccessToken(user_id=w.author.id, name="matrix", token_hash="0" * 64,
                          prefix="rds_matrix")
    w.login = LoginSession(user_id=w.author.id, key_hash="1" * 64, device="Firefox 128, Linux",
                           expires_at=now + timedelta(days=1))
    w.device = TrustedDevice(user_id=w.author.id, token_hash="2" * 64,
                             expires_at=now + timedelta(days=30))
    w.live = LiveSession(title="Budget hearing", focus_area_id=area_id, topic_id=w.topic.id,
                         starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=1),
                         created_by_id=w.mod_here.id)
    w.live_now = LiveSession(title="Open hearing", focus_area_id=area_id, topic_id=w.topic.id,
                             starts_at=now, ends_at=now + timedelta(hours=1),
                             status=SessionStatus.LIVE, created_by_id=w.mod_here.id)
    w.flag = Flag(reporter_id=w.mod_x.id, target_type="post", target_id=w.post.id,
                  thread_id=w.thread.id, post_id=w.post.id, reason="spam")
    w.failed_job = FailedJob(task="forum.services.mail.sending.deliver_to_address",
                             args=["ops@example.org", "test_message", None, {}], kwargs={},
                             attempts=9, error="SMTPServerDisconnected()", traceback="")
    w.unsubscribe_token = preferences.unsubscribe_token(w.author.id, "replies")
    w.notice = Notification(user_id=w.author.id, kind="suspension_lifted", params={})
    w.secret_live = LiveSession(title="Closed hearing", focus_area_id=area_id,
                                topic_id=w.topic.id, starts_at=now + timedelta(days=3),
                                ends_at=now + timedelta(days=3, hours=1),
                                visibility=Visibility.INVITE_ONLY, created_by_id=w.mod_here.id)
    db.session.add_all([w.notice, w.secret_live])
    _archive_world(w, post)
    db.session.add_all([w.appeal, w.revision, w.suspension, w.token, w.live, w.live_now, w.flag,
                        w.failed_job, w.login, w.device])
    _live_room_world(w)
    _deliberation_world(w, now)
    _webhook_world(w)
    db.session.commit()
    # Each kind signs in once, as a browser would, so requests add no session records.
    w.login_keys = {kind: factories.login_key(getattr(w, kind)) for kind in KINDS
                    if getattr(w, kind) is not None}
    return w


def _live_room_world(w: SimpleNamespace) -> None:
    """An open question (by a moderator of the area) and an open poll in the live session."""
    from forum.models.live import Poll, PollStatus, Question

    db.session.flush()
    w.question = Question(session_id=w.live_now.id, author_id=w.mod_x.id, sector="politics",
                          body="Why now?")
    w.poll = Poll(session_id=w.live_now.id, question="Agree?", choices=["Yes", "No"],
                  status=PollStatus.OPEN)
    db.session.add_all([w.question, w.poll])


def _archive_world(w: SimpleNamespace, post) -> None:
    """An ended invite-only session of the area, its archive thread, `verified` invited."""
    from forum.models.discussion import Thread
    from forum.models.live import Invitation, LiveSession, SessionStatus, Visibility

    now = utcnow()
    w.archive = Thread(topic_id=w.topic.id, title="Record of a closed hearing",
                       author_id=w.mod_here.id, post_count=1, last_position=1)
    db.session.add(w.archive)
    db.session.flush()
    w.archive_post = post(w.archive, 1)
    ended = LiveSession(title="Closed round", focus_area_id=w.area.id, topic_id=w.topic.id,
                        starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1),
                        visibility=Visibility.INVITE_ONLY, status=SessionStatus.ENDED,
                        archive_thread_id=w.archive.id, created_by_id=w.mod_here.id)
    db.session.add(ended)
    db.session.flush()
    db.session.add(Invitation(session_id=ended.id, user_id=w.verified.id))


def _deliberation_world(w: SimpleNamespace, now) -> None:
    """An open proposal in the thread; a closed one with an outcome and a commitment the
    author owns."""
    from forum.models.deliberation import Commitment, Outcome, OutcomeKind, Proposal
    from forum.services.deliberation import results

    def proposal(title: str, **extra) -> Proposal:
        row = Proposal(focus_area_id=w.area.id, topic_id=w.topic.id, thread_id=w.thread.id,
                       author_id=w.verified.id, title=title, statement_source=title,
                       statement_html=f"<p>{title}</p>", closes_at=now + timedelta(days=2),
                       **extra)
        db.session.add(row)
        return row

    w.proposal = proposal("Open the baths all year")
    w.closed = proposal("Car-free square", closed_at=now, closed_by_id=w.mod_x.id)
    db.session.flush()
    w.outcome = Outcome(proposal_id=w.closed.id, kind=OutcomeKind.AGREED,
                        decision_source="Adopted", decision_html="<p>Adopted</p>",
                        final_tally=results.tally(w.closed, status="closed"),
                        recorded_by_id=w.mod_x.id)
    db.session.add(w.outcome)
    db.session.flush()
    w.commitment = Commitment(outcome_id=w.outcome.id, focus_area_id=w.area.id,
                              owner_id=w.author.id, sector=w.author.sector, text="Draft it",
                              due_on=(now + timedelta(days=30)).date(),
                              review_on=(now + timedelta(days=20)).date(),
                              recorded_by_id=w.mod_x.id)
    db.session.add(w.commitment)
    _rounds_world(w, now)


def _rounds_world(w: SimpleNamespace, now) -> None:
    """An open statement round in the thread with a shown statement by the author, one
    waiting for approval, one hidden and one with an open flag."""
    from forum.models.rounds import Round, Statement, StatementFlag

    w.round = Round(focus_area_id=w.area.id, topic_id=w.topic.id, thread_id=w.thread.id,
                    author_id=w.mod_x.id, question="What should the harbour be?",
                    closes_at=now + timedelta(days=2))
    db.session.add(w.round)
    db.session.flush()
    w.statement, w.held_statement, w.hidden_statement = (
        Statement(round_id=w.round.id, author_id=w.author.id, text=text, sector="politics",
                  **extra)
        for text, extra in (("Open quays", {}), ("Held", {"status": PostStatus.PENDING}),
                            ("Hidden", {"hidden_at": now, "hidden_by_id": w.mod_x.id})))
    w.flagged_statement = Statement(round_id=w.round.id, author_id=w.author.id,
                                    text="Flagged", sector="politics")
    db.session.add_all([w.statement, w.held_statement, w.hidden_statement, w.flagged_statement])
    db.session.flush()
    db.session.add(StatementFlag(statement_id=w.flagged_statement.id, reporter_id=w.mod_x.id,
                                 reason="spam"))


def _webhook_world(w: SimpleNamespace) -> None:
    """An endpoint on loopback (which the test settings allow) with one delivery."""
    from forum.models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent

    w.webhook = WebhookEndpoint(url="http://127.0.0.1:9/hooks", secret="whsec_matrix_secret",
                                kinds=["post.created"], created_by_id=w.admin.id)
    event = WebhookEvent(kind="post.created", payload={"post": {"id": 1}})
    db.session.add_all([w.webhook, event])
    db.session.flush()
    w.delivery = WebhookDelivery(endpoint_id=w.webhook.id, event_id=event.id)
    db.session.add(w.delivery)


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303):
        return "in" if "/login" in response.headers["Location"] else "go"
    return {200: "ok", 400: "bad", 403: "no", 404: "nf", 409: "cf"}.get(
        response.status_code, str(response.status_code))


def _start_again() -> None:
    """Empty the database after a request that may have changed the world."""
    from tests.conftest import _clear_tables

    db.session.remove()
    _clear_tables()


def test_every_route_has_a_row(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    rows = {(row.endpoint, row.method) for row in ROWS + API_ROWS}
    assert routes - rows == set(), "routes without a row in the authorisation matrix"
    assert rows - routes == set(), "rows for routes that no longer exist"


def _params():
    for row in ROWS:
        marks = [pytest.mark.xfail(strict=True, reason=row.known_issue)] if row.known_issue else []
        yield pytest.param(row, id=row.id, marks=marks)


def send(app, world: SimpleNamespace, kind: str, row: Row, **request):
    """One request of `row` by the `kind` of user in `world` (`request` replaces the row's
    form data, e.g. with `json=...` or other headers)."""
    from forum.extensions import limiter

    limiter.reset()
    # Requests share the test's app context, so `g` (signed-in user, cached permission
    # facts) would leak from one kind of user to the next.
    g.__dict__.clear()
    client = app.test_client()
    user = getattr(world, kind)
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = world.login_keys[kind], True
    request = request or {"data": row.data(world)}
    return client.open(row.url(world), method=row.method, **request)


@pytest.mark.parametrize("row", list(_params()))
def test_matrix(app, db, row: Row):
    """Each kind of user in a fresh world (rebuilt after any request that succeeded)."""
    wrong, world = [], None
    for kind in KINDS:
        world = world or _world()
        response = send(app, world, kind, row)
        got = _outcome(response)
        response.close()
        if got != row.outcome_for(kind):
            wrong.append(f"{kind}: expected {row.outcome_for(kind)}, got {got} "
                         f"({response.status_code} {response.headers.get('Location', '')})")
        if row.method != "GET" and got in ("go", "ok"):
            _start_again()
            world = None
    assert not wrong, f"{row.method} {row.endpoint}:\n" + "\n".join(wrong)


# --- The JSON API ------------------------------------------------------------------------------

API_OUTCOMES = {200: "ok", 201: "new", 204: "ok", 401: "in", 403: "no", 404: "nf", 409: "cf", 422: "bad"}
PAGE_TO_API = {"ok": {"ok", "new"}, "go": {"ok", "new"}, "in": {"in"}, "no": {"no"},
               "nf": {"nf"}, "bad": {"bad"}, "cf": {"cf"}}
ALL_SCOPES = "read write moderate"


def _tokens(world) -> dict[str, str]:
    """A token with every scope for each kind of user (anonymous: none)."""
    from forum.models.accounts import AccessToken
    from forum.services.accounts import _token_hash

    secrets = {}
    for kind in KINDS[1:]:
        secret = f"rds_matrix_{kind}"
        db.session.add(AccessToken(user_id=getattr(world, kind).id, name=kind, prefix=secret[:10],
                                   token_hash=_token_hash(secret), scopes=ALL_SCOPES))
        secrets[kind] = secret
    db.session.commit()
    return secrets


def _call(app, row: ApiRow, world, token: str | None):
    from forum.extensions import limiter

    limiter.reset()
    g.__dict__.clear()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = row.data(world)
    response = app.test_client().open(row.url(world), method=row.method, headers=headers,
                                      json=body if body else None)
    response.close()
    return response


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id) for r in API_ROWS])
def test_api_matrix(app, db, row: ApiRow):
    """Each kind of user with a full-scope token, in a fresh world after any write."""
    wrong, world, tokens = [], None, {}
    for kind in KINDS:
        if world is None:
            world = _world()
            tokens = _tokens(world)
        response = _call(app, row, world, tokens.get(kind))
        got = API_OUTCOMES.get(response.status_code, str(response.status_code))
        if got != row.outcome_for(kind):
            wrong.append(f"{kind}: expected {row.outcome_for(kind)}, got {got} "
                         f"{response.get_data(as_text=True)[:200]}")
        if row.method != "GET" and got in ("ok", "new"):
            _start_again()
            world = None
    assert not wrong, f"{row.method} {row.endpoint}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id) for r in API_ROWS])
def test_api_route_refuses_a_token_without_its_scope(app, db, row: ApiRow):
    """A kind of user who may do it, with a token that has every scope but the route's."""
    from forum.blueprints.api.auth import SCOPE_ATTRIBUTE
    from forum.models.accounts import AccessToken

    scope = getattr(app.view_functions[row.endpoint], SCOPE_ATTRIBUTE, None)
    if scope is None:
        assert row.endpoint in ("api-docs.openapi_json", "api_pages.docs"), \
            f"{row.endpoint} declares no scope (bp.reads, bp.writes or bp.moderates)"
        return
    allowed = [k for k in KINDS[1:] if row.outcome_for(k) in ("ok", "new")]
    if not allowed:
        return
    world = _world()
    tokens = _tokens(world)
    token = db.session.scalar(__import__("sqlalchemy").select(AccessToken).where(
        AccessToken.name == allowed[-1]))
    token.scopes = " ".join(s for s in ALL_SCOPES.split() if s != scope.value)
    db.session.commit()
    response = _call(app, row, world, tokens[allowed[-1]])
    assert response.status_code == 403, response.get_data(as_text=True)[:300]
    assert "insufficient_scope" in response.get_data(as_text=True)


def test_api_rows_agree_with_their_pages():
    """The API decides as the pages do: the same kinds are refused, the same succeed."""
    pages: dict[str, list[Row]] = {}
    for r in ROWS:
        pages.setdefault(f"{r.endpoint} {r.method}", []).append(r)
    for row in API_ROWS:
        if not row.page:
            continue
        # "endpoint METHOD" is the route's first row; "endpoint METHOD#n" its n-th
        name, _, nth = row.page.partition("#")
        page = pages[name][int(nth or 1) - 1]
        for kind in KINDS:
            assert row.outcome_for(kind) in PAGE_TO_API[page.outcome_for(kind)], \
                f"{row.endpoint} and {row.page} disagree for {kind}"

"""A member's own data: export everything we hold about them, or erase the account."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from forum.exceptions import InvalidInput
from forum.extensions import db
from forum.models.accounts import AccessToken, User
from forum.models.base import utcnow
from forum.models.deliberation import Commitment, PositionChange, Proposal
from forum.models.discussion import Post, Reaction, Revision, Thread
from forum.models.live import LiveSession, Rsvp
from forum.models.mail import EmailPreference
from forum.models.moderation import Notification
from forum.models.security import LoginSession, RecoveryCode, TrustedDevice
from forum.services import notifications, passwords
from forum.services.deliberation import votes
from forum.services.feeds import tokens as feed_tokens
from forum.services.live import rsvps, sockets
from forum.services.notifications import following
from forum.services.security import devices, sessions


def export_data(member: User) -> dict:
    """Everything stored about `member`, as plain JSON-ready data."""
    language = member.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    posts = db.session.execute(
        select(Post, Thread.title).join(Thread, Post.thread_id == Thread.id)
        .where(Post.author_id == member.id).order_by(Post.id)).all()
    return {
        "profile": {
            "email": member.email, "display_name": member.display_name,
            "sector": member.sector.value, "organisation": member.organisation,
            "title": member.title, "role": member.role.value, "language": member.language,
            "verified_at": _iso(member.verified_at), "member_since": _iso(member.created_at),
            "last_login_at": _iso(member.last_login_at),
            "registered_from": member.registration_ip,
        },
        "posts": [{"id": p.id, "thread": title, "written_at": _iso(p.created_at),
                   "capacity": p.capacity.value, "text": p.body_source,
                   "status": p.status.value, "deleted_at": _iso(p.deleted_at)}
                  for p, title in posts],
        "earlier_versions": [{"post_id": r.post_id, "saved_at": _iso(r.created_at),
                              "text": r.body_source}
                             for r in db.session.scalars(select(Revision).join(Post)
                                                         .where(Post.author_id == member.id,
                                                                Revision.moderator_only.is_(False)))],
        "reactions": [{"post_id": r.post_id, "kind": r.kind.value, "at": _iso(r.created_at)}
                      for r in db.session.scalars(select(Reaction)
                                                  .where(Reaction.user_id == member.id))],
        "notifications": [{"kind": n.kind, "message": notifications.worded(n, language).text,
                           "params": n.params, "at": _iso(n.created_at)}
                          for n in db.session.scalars(select(Notification)
                                                      .where(Notification.user_id == member.id))],
        "following": following.export_for(member.id),
        **_deliberation(member),
        "live_rsvps": _rsvps(member),
        "calendar_address": _calendar_address(member),
        "email_preferences": [{"kind": p.kind, "delivery": p.delivery.value}
                              for p in db.session.scalars(select(EmailPreference)
                                                          .where(EmailPreference.user_id == member.id))],
        "access_tokens": [{"name": t.name, "created_at": _iso(t.created_at),
                           "revoked_at": _iso(t.revoked_at)}
                          for t in db.session.scalars(select(AccessToken)
                                                      .where(AccessToken.user_id == member.id))],
        **_security_data(member),
    }


def _security_data(member: User) -> dict:
    """Sessions and remembered devices (what we note of them), and whether 2FA is on."""
    rows = lambda model: db.session.scalars(  # noqa: E731
        select(model).where(model.user_id == member.id).order_by(model.id))
    return {
        "two_factor_since": _iso(member.two_factor_at),
        "sessions": [{"device": s.device, "network": s.ip_prefix, "signed_in_at": _iso(s.created_at),
                      "last_seen_at": _iso(s.last_seen_at)} for s in rows(LoginSession)],
        "remembered_devices": [{"device": d.device, "since": _iso(d.created_at),
                                "until": _iso(d.expires_at)} for d in rows(TrustedDevice)],
    }


def _rsvps(member: User) -> list[dict]:
    """Every live session the member said they would come to, past ones too."""
    rows = db.session.execute(
        select(Rsvp.created_at, LiveSession.id, LiveSession.title, LiveSession.starts_at)
        .join(LiveSession, LiveSession.id == Rsvp.session_id)
        .where(Rsvp.user_id == member.id).order_by(LiveSession.starts_at))
    return [{"session_id": sid, "session": title, "starts_at": _iso(starts),
             "rsvp_at": _iso(at)} for at, sid, title, starts in rows]


def _calendar_address(member: User) -> dict | None:
    """Whether the member has a private calendar address (its secret is not kept)."""
    token = feed_tokens.current(member)
    return token and {"made_at": _iso(token.created_at), "last_used_at": _iso(token.last_used_at)}


def _deliberation(member: User) -> dict:
    """The member's positions (with every change) and the commitments they own."""
    proposals = dict(db.session.execute(select(Proposal.id, Proposal.title).where(
        Proposal.id.in_(select(PositionChange.proposal_id).where(
            PositionChange.user_id == member.id)))).all())
    changes = db.session.scalars(select(PositionChange).where(
        PositionChange.user_id == member.id).order_by(PositionChange.id))
    owned = db.session.scalars(select(Commitment).where(Commitment.owner_id == member.id)
                               .order_by(Commitment.id))
    return {
        "positions": [{"proposal_id": c.proposal_id, "proposal": proposals.get(c.proposal_id),
                       "stance": c.stance.value, "reason": c.reason, "at": _iso(c.at)}
                      for c in changes],
        "commitments": [{"id": c.id, "text": c.text, "organisation": c.organisation,
                         "due_on": c.due_on.isoformat(), "status": c.status.value,
                         "note": c.status_note} for c in owned],
        **votes.export_member(member.id),
    }


def erase_account(member: User, password: str) -> None:
    """Remove the member's personal details and close the account: every session, token,
    remembered device, RSVP, calendar address and open live socket of theirs ends. Their posts stay in the
    discussion (others replied to them) under the name "Tidigare medlem · Former member"; nothing is
    re-attributed. Their votes in statement rounds are removed from the counts."""
    if not passwords.verify_password(member.password_hash, password):
        raise InvalidInput({"password": _("The password is not correct.")})
    member.email = f"erased-{member.id}-{secrets.token_hex(4)}@invalid"
    member.display_name = "Tidigare medlem · Former member"
    member.organisation = member.title = ""
    member.password_hash = passwords.hash_password(secrets.token_urlsafe(32))
    member.verified_at = member.verified_by_id = member.language = None
    member.registration_ip = None
    member.erased_at = utcnow()
    member.totp_secret = member.two_factor_at = member.totp_last_step = None
    db.session.execute(update(AccessToken).where(AccessToken.user_id == member.id,
                                                 AccessToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == member.id))
    rsvps.forget_member(member.id)
    feed_tokens.forget_member(member.id)
    votes.forget_member(member.id)  # statements stay, shown without their author, as posts do
    devices.forget_all(member.id)
    sessions.end_all(member.id)
    following.forget_member(member.id)
    db.session.commit()
    sockets.close(member.id)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None

"""Two-factor sign-in with time-based codes (TOTP, RFC 6238) from an authenticator app.

Rules: any member may turn it on (proving with one code that the app has the secret) and
off (with their password); either renews the session. Ten single-use recovery codes are
shown once and stored as SHA-256 hashes. A code from the app is accepted once: not again
within its 90-second window, not by two requests at the same moment. The admins' setting
requires it of moderators and admins (see `permissions.core.needs_two_factor_setup`)."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

import pyotp
import segno
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from forum.exceptions import Conflict, InvalidInput
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.security import RecoveryCode, SiteSetting
from forum.permissions import Action, require
from forum.permissions.core import STAFF_TWO_FACTOR, forget_cached_facts
from forum.services import passwords
from forum.services.moderation import modlog
from forum.services.security import devices, sessions

ISSUER = "Rådslag"
RECOVERY_CODES = 10
_SECRET = re.compile(r"^[A-Z2-7]{32}$")


def new_secret() -> str:
    """A fresh secret for setting up an authenticator (kept only until it is confirmed)."""
    return pyotp.random_base32()


def setup_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str, label: str) -> Markup:
    """The setup link as a QR code in inline SVG, drawn here (no image from anywhere else)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, title=label, svgclass="qr",
                                               lineclass=None, dark="#000", light="#fff")
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))  # noqa: S704 - segno's own markup


def enable(actor: User, secret: str, code: str) -> tuple[list[str], sessions.Renewal]:
    """Turn two-factor sign-in on. `code` must come from the app set up with `secret`.
    Returns the recovery codes (to show once) and the renewed session."""
    if actor.has_two_factor:
        raise Conflict(_("Two-factor sign-in is already on."))
    step = _step_of(secret, code) if isinstance(secret, str) and _SECRET.match(secret) else None
    if step is None:
        raise InvalidInput({"code": _("That code is not correct. Check that the time on your "
                                      "phone is right and enter the code shown now.")})
    actor.totp_secret, actor.two_factor_at, actor.totp_last_step = secret, utcnow(), step
    codes = _new_codes(actor)
    return codes, _renew_and_commit(actor)


def disable(actor: User, password: str) -> sessions.Renewal:
    """Turn two-factor sign-in off (the password proves it is the member). Recovery codes
    and remembered devices go with it."""
    if not actor.has_two_factor:
        raise Conflict(_("Two-factor sign-in is not on."))
    _check_password(actor, password)
    actor.totp_secret = actor.two_factor_at = actor.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == actor.id))
    devices.forget_all(actor.id)
    return _renew_and_commit(actor)


def replace_recovery_codes(actor: User, password: str) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not actor.has_two_factor:
        raise Conflict(_("Two-factor sign-in is not on."))
    _check_password(actor, password)
    codes = _new_codes(actor)
    db.session.commit()
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def verify(user: User, code: str) -> bool:
    """A code at sign-in: six digits from the app (each accepted once), or an unused
    recovery code (used up by this). Commits when one is accepted."""
    if not user.has_two_factor or not isinstance(code, str):
        return False
    code = re.sub(r"[\s-]", "", code)[:40].lower()
    if code.isdigit():
        step = _step_of(user.totp_secret, code)
        accepted = step is not None and db.session.execute(
            update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None),
                                                       User.totp_last_step < step))
            .values(totp_last_step=step)).rowcount == 1
    else:
        accepted = db.session.execute(
            update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                       RecoveryCode.code_hash == _hash(code),
                                       RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow())).rowcount == 1
    if accepted:
        db.session.commit()
    else:
        db.session.rollback()
    return accepted


def set_staff_requirement(actor: User, required: bool) -> None:
    """Admins decide whether moderators and admins must use two-factor sign-in; an admin
    turns it on only with it on for themselves. Logged in the public moderation log."""
    require(actor, Action.GRANT_ROLE)
    if required and not actor.has_two_factor:
        raise InvalidInput({"required": _("Turn on two-factor sign-in for yourself first.")})
    setting = db.session.get(SiteSetting, STAFF_TWO_FACTOR)
    if setting is None:
        setting = SiteSetting(key=STAFF_TWO_FACTOR, value=False)
        db.session.add(setting)
    if bool(setting.value) == required:
        return
    setting.value, setting.updated_at, setting.updated_by_id = required, utcnow(), actor.id
    modlog.record(actor, "require_staff_two_factor" if required else "allow_staff_without_two_factor",
                  "site", 0)
    db.session.commit()
    forget_cached_facts()


def _step_of(secret: str | None, code: str) -> int | None:
    """The 30-second step (now, or one either side for clock drift) whose code this is."""
    if not secret or not isinstance(code, str) or not re.fullmatch(r"\d{6}", code.strip()):
        return None
    totp, now = pyotp.TOTP(secret), utcnow()
    step = totp.timecode(now)
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code.strip()):
            return candidate
    return None


def _new_codes(actor: User) -> list[str]:
    """Replace the member's recovery codes with ten new ones (no commit); returns them."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == actor.id))
    codes = [secrets.token_hex(5) for _n in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=actor.id, code_hash=_hash(c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def _renew_and_commit(actor: User) -> sessions.Renewal:
    renewal = sessions.renew(actor)
    db.session.commit()
    forget_cached_facts()
    sessions.close_sockets(actor.id, renewal.ended)
    return renewal


def _check_password(actor: User, password: str) -> None:
    if not passwords.verify_password(actor.password_hash, password or ""):
        raise InvalidInput({"password": _("The password is not correct.")})


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()

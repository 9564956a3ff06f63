"""Following focus areas, topics, threads and live sessions, and the member's notice settings
(follow my own threads and the threads I reply in by default, or not).

Only what the member may see can be followed; following is refused, not recorded, for an
invite-only session they are not invited to or a hidden thread."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select

from forum.exceptions import InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import insert_or_merge, utcnow
from forum.models.discussion import FocusArea, Thread, Topic
from forum.models.live import LiveSession
from forum.models.notifications import FollowTarget, NoticeSettings, Subscription
from forum.permissions import Action, can
from forum.permissions.core import is_member

ERASED_NAME = "Tidigare medlem · Former member"  # as privacy.erase_account names them
_MODELS = {FollowTarget.AREA: FocusArea, FollowTarget.TOPIC: Topic,
           FollowTarget.THREAD: Thread, FollowTarget.SESSION: LiveSession}


def target_type(name: str) -> FollowTarget:
    try:
        return FollowTarget(name)
    except ValueError:
        raise NotFound(_("Only focus areas, topics, threads and live sessions can be "
                         "followed.")) from None


def load_target(viewer, kind: FollowTarget, target_id: int):
    """The item to follow, if the viewer may see it (else "not found", as its page says)."""
    item = db.session.get(_MODELS[kind], target_id)
    if item is None or not _may_see(viewer, kind, item):
        raise NotFound(_("There is nothing to follow there."))
    return item


def _may_see(viewer, kind: FollowTarget, item) -> bool:
    if kind == FollowTarget.THREAD:
        return can(viewer, Action.VIEW_THREAD, item)
    if kind == FollowTarget.SESSION:
        return can(viewer, Action.VIEW_LIVE, item)
    return True


def follow(actor: User, kind_name: str, target_id: int) -> None:
    """A signed-in member follows something they may see (again, after unfollowing)."""
    if not is_member(actor):
        raise InvalidInput(_("Please sign in to follow."), code="unauthorized")
    kind = target_type(kind_name)
    load_target(actor, kind, target_id)
    _set(actor.id, kind, target_id, True)
    db.session.commit()


def unfollow(actor: User, kind_name: str, target_id: int) -> None:
    """Stop following. Remembered, so replying in the thread later does not follow it again.
    What the member may not see is not found, unless they followed it before (a removed
    invitee can still stop following the session)."""
    if not is_member(actor):
        raise InvalidInput(_("Please sign in to follow."), code="unauthorized")
    kind = target_type(kind_name)
    if _subscription(actor.id, kind, target_id) is None:
        load_target(actor, kind, target_id)
    _set(actor.id, kind, target_id, False)
    db.session.commit()


def _set(user_id: int, kind: FollowTarget, target_id: int, active: bool) -> None:
    statement = insert_or_merge(Subscription).values(
        user_id=user_id, target_type=kind.value, target_id=target_id, active=active,
        created_at=utcnow())
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "target_type", "target_id"], set_={"active": active}))


def _subscription(user_id: int, kind: FollowTarget, target_id: int) -> bool | None:
    """The member's row for the item: True following, False unfollowed, None never."""
    return db.session.scalar(select(Subscription.active).where(
        Subscription.user_id == user_id, Subscription.target_type == kind,
        Subscription.target_id == target_id))


def is_following(user, kind: FollowTarget, target_id: int) -> bool:
    if not is_member(user):
        return False
    return bool(_subscription(user.id, kind, target_id))


def auto_follow_thread(member: User, thread_id: int) -> None:
    """The author of a thread or a reply follows it, unless they turned that default off or
    unfollowed this thread before (no commit)."""
    if not auto_follows(member.id):
        return
    statement = insert_or_merge(Subscription).values(
        user_id=member.id, target_type=FollowTarget.THREAD.value, target_id=thread_id,
        active=True, created_at=utcnow())
    db.session.execute(statement.on_conflict_do_nothing(
        index_elements=["user_id", "target_type", "target_id"]))


def followers(kind: FollowTarget, target_id: int) -> list[int]:
    return list(db.session.scalars(select(Subscription.user_id).where(
        Subscription.target_type == kind, Subscription.target_id == target_id,
        Subscription.active.is_(True)).order_by(Subscription.user_id)))


# --- The member's list and settings -----------------------------------------------------------

@dataclass
class Followed:
    kind: FollowTarget
    target_id: int
    title: str
    url: str


def followed_by(member: User, locale: str) -> list[Followed]:
    """What the member follows now, that they may still see, grouped by kind."""
    rows = db.session.scalars(select(Subscription).where(
        Subscription.user_id == member.id, Subscription.active.is_(True))
        .order_by(Subscription.target_type, Subscription.id.desc()))
    out = []
    for row in rows:
        item = db.session.get(_MODELS[row.target_type], row.target_id)
        if item is None or not _may_see(member, row.target_type, item):
            continue
        out.append(Followed(row.target_type, row.target_id, _title(item, locale),
                            _url(row.target_type, item)))
    return out


def _title(item, locale: str) -> str:
    return item.name(locale) if isinstance(item, FocusArea) else item.title


def _url(kind: FollowTarget, item) -> str:
    if kind == FollowTarget.AREA:
        return url_for("topics.area", slug=item.slug)
    if kind == FollowTarget.TOPIC:
        return url_for("topics.show", topic_id=item.id)
    if kind == FollowTarget.THREAD:
        return url_for("threads.show", thread_id=item.id)
    return url_for("live.show", session_id=item.id)


def auto_follows(user_id: int) -> bool:
    saved = db.session.scalar(select(NoticeSettings.auto_follow).where(
        NoticeSettings.user_id == user_id))
    return True if saved is None else saved


def set_auto_follow(member: User, on: bool) -> None:
    """Save the member's default (the caller commits)."""
    statement = insert_or_merge(NoticeSettings).values(user_id=member.id, auto_follow=on)
    db.session.execute(statement.on_conflict_do_update(index_elements=["user_id"],
                                                       set_={"auto_follow": on}))


def export_for(member_id: int) -> list[dict]:
    """What a member follows (and stopped following), for their data export."""
    return [{"kind": row.target_type.value, "id": row.target_id, "active": row.active,
             "since": row.created_at.isoformat()}
            for row in db.session.scalars(select(Subscription).where(
                Subscription.user_id == member_id).order_by(Subscription.id))]


def forget_member(member_id: int) -> None:
    """Erasure: the member's follows, settings and notices go, and notices others got
    about what they did no longer carry their name (no commit)."""
    from forum.models.notifications import Notification  # noqa: PLC0415

    db.session.execute(delete(Subscription).where(Subscription.user_id == member_id))
    db.session.execute(delete(NoticeSettings).where(NoticeSettings.user_id == member_id))
    db.session.execute(delete(Notification).where(Notification.user_id == member_id))
    for note in db.session.scalars(select(Notification).where(
            Notification.actor_id == member_id)):
        if "actor" in (note.params or {}):
            note.params = {**note.params, "actor": ERASED_NAME}

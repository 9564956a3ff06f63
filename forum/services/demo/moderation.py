"""Demo moderation: open flags in the review queue, a post waiting for approval, and a few
entries in the public moderation log."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models.discussion import Post, PostStatus, Thread, Topic
from forum.models.moderation import ModerationAction
from forum.services import accounts
from forum.services.discussion import posting
from forum.services.moderation import review, thread_actions


def _posts(exclude_ids: set[int]) -> list[Post]:
    return list(db.session.scalars(select(Post).where(
        Post.status == PostStatus.PUBLISHED, Post.hidden_at.is_(None),
        Post.position > 1, Post.author_id.not_in(exclude_ids)).order_by(Post.id)))


def _ensure_discussion(cast: dict) -> None:
    """The discussion demo normally provides threads; make one if it did not."""
    if len(_posts(set())) >= 4:
        return
    topic = db.session.scalar(select(Topic).order_by(Topic.id))
    if topic is None:
        from forum.models.discussion import FocusArea  # noqa: PLC0415

        area = db.session.scalar(select(FocusArea).order_by(FocusArea.position))
        topic = Topic(focus_area_id=area.id, title="Hur styr vi staden öppet?",
                      framing_source="Ett samtal om insyn.", framing_html="<p>Ett samtal om insyn.</p>")
        db.session.add(topic)
        db.session.flush()
    thread = posting.new_thread(topic, cast["anna"], "Öppna nämndmöten",
                                   "Ska nämndernas möten sändas?", status=PostStatus.PUBLISHED)
    for key, text in (("jonas", "Köp billiga klockor på example.com!"),
                      ("omar", "Ja, och protokollen bör publiceras samma dag."),
                      ("erik", "Ring mig på 070-123 45 67 så förklarar jag."),
                      ("karin", "Förvaltningen kan ordna det till hösten.")):
        posting.append_post(thread, cast[key], text, status=PostStatus.PUBLISHED)
    db.session.commit()


def add(cast: dict) -> str:
    """A few flags from different members, one pending post and some logged actions."""
    _ensure_discussion(cast)
    mod = cast["mod"]
    posts = _posts({mod.id, cast["admin"].id})
    flaggers = ["omar", "leila", "per", "maria", "sara"]
    reasons = ["off_topic", "abusive", "personal_data", "misinformation"]
    flagged = 0
    for post, reason in zip(posts[:3], reasons, strict=False):
        for key in flaggers[:2]:
            if cast[key].id != post.author_id:
                review.flag(cast[key], "post", post.id, reason,
                                "Se inlägget." if reason == "other" else "")
                flagged += 1
        flaggers.append(flaggers.pop(0))
    threads = list(db.session.scalars(select(Thread).order_by(Thread.id)))
    if threads and threads[0].author_id != cast["sara"].id:
        review.flag(cast["sara"], "thread", threads[0].id, "other",
                        "Tråden liknar en annan tråd om samma sak.")
        flagged += 1
    if len(posts) > 3:
        review.hide(mod, "post", posts[3].id, "Personangrepp mot en annan medlem.")
    if threads:
        thread_actions.pin(mod, threads[0].id, True, "Viktig tråd inför fullmäktige.")
    if len(threads) > 1:
        thread_actions.lock(mod, threads[-1].id, True, "Frågan är besvarad.")
    accounts.set_verified(mod, cast["erik"].id, True)
    if threads:
        posting.append_post(threads[0], cast["sara"], "Jag är ny här. Gäller detta även "
                               "Drottninghög?", status=PostStatus.PENDING)
        db.session.commit()
    entries = len(list(db.session.scalars(select(ModerationAction.id))))
    return f"Moderation: {flagged} open flags, {entries} log entries, 1 post awaiting approval."

"""Topic curation by moderators: create, edit, pin, feature, close, reopen and archive."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from forum.exceptions import InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.discussion import FocusArea, Tag, Topic, TopicStatus
from forum.permissions import Action, require
from forum.services.discussion import posting
from forum.services.moderation import modlog

MAX_TAGS = 8
TAG_RE = re.compile(r"^[\w][\w\- ]{0,38}[\w]$|^\w$", re.UNICODE)


def get_area(slug: str) -> FocusArea:
    area = db.session.scalar(select(FocusArea).where(FocusArea.slug == slug))
    if area is None:
        raise NotFound(_("There is no such focus area."))
    return area


def parse_tags(text: str | None) -> list[str]:
    """Comma-separated tag names: trimmed, lower-cased, unique, each a few plain words."""
    names: list[str] = []
    for raw in (text or "").split(","):
        name = " ".join(raw.split()).lower()
        if not name or name in names:
            continue
        if not TAG_RE.match(name):
            raise InvalidInput({"tags": _("Tags are short words of letters, digits and "
                                          "hyphens (up to 40 characters).")}, code="bad_tag")
        names.append(name)
    if len(names) > MAX_TAGS:
        raise InvalidInput({"tags": _("At most %(max)d tags.", max=MAX_TAGS)})
    return names


def _tags(names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    tags = []
    for name in names:
        tag = existing.get(name) or Tag(name=name)
        db.session.add(tag)
        tags.append(tag)
    return tags


def create_topic(actor: User, area_slug: str, title: str, framing: str, tags: str = "") -> Topic:
    """Moderators of the area create topics: a title, a framing text in Markdown, tags."""
    area = get_area(area_slug)
    require(actor, Action.CURATE_TOPIC, area)
    title, framing = posting.clean_title(title), _framing(framing)
    names = parse_tags(tags)
    topic = Topic(focus_area_id=area.id, title=title, framing_source=framing,
                  framing_html=posting.render(framing), created_by_id=actor.id,
                  status=TopicStatus.OPEN, last_activity_at=utcnow())
    topic.tags = _tags(names)
    db.session.add(topic)
    db.session.commit()
    return topic


def edit_topic(actor: User, topic_id: int, title: str, framing: str, tags: str = "") -> Topic:
    topic = posting.get_topic(topic_id)
    require(actor, Action.CURATE_TOPIC, topic)
    topic.title, topic.framing_source = posting.clean_title(title), _framing(framing)
    topic.framing_html = posting.render(topic.framing_source)
    topic.tags = _tags(parse_tags(tags))
    db.session.commit()
    return topic


def set_flags(actor: User, topic_id: int, *, pinned: bool | None = None,
              featured: bool | None = None) -> Topic:
    """Pinned topics lead their area's list; featured ones show on the front page first."""
    topic = posting.get_topic(topic_id)
    require(actor, Action.CURATE_TOPIC, topic)
    if pinned is not None:
        topic.pinned = pinned
    if featured is not None:
        topic.featured = featured
    db.session.commit()
    return topic


def set_status(actor: User, topic_id: int, status: str, reason: str = "") -> Topic:
    """Open, closed (no new threads or posts) or archived (read-only, listed apart)."""
    topic = posting.get_topic(topic_id)
    require(actor, Action.CURATE_TOPIC, topic)
    try:
        new = TopicStatus(status)
    except ValueError:
        raise InvalidInput({"status": _("Unknown status.")}) from None
    if new != topic.status:
        modlog.record(actor, "topic_status", "topic", topic.id, reason=reason,
                      focus_area_id=topic.focus_area_id,
                      details={"from": topic.status.value, "to": new.value})
        topic.status = new
    db.session.commit()
    return topic


def _framing(text: str | None) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > posting.MAX_POST_CHARS:
        raise InvalidInput({"framing": _("The framing text may be at most %(max)d characters.",
                                         max=posting.MAX_POST_CHARS)})
    return text

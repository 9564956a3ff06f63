"""Notifications: what members follow (`following`), the notices they get (written by
`store`, read by `reading`, worded by `kinds`), the notices posts cause (`activity`), pushing
them to open pages (`push`) and sending them by email, at once or in a daily digest
(`mailing`)."""
from forum.services.notifications.reading import (
    NoticeView,
    before,
    grouped,
    latest_for,
    unread_count,
    worded,
)
from forum.services.notifications.store import (
    mark_all_read,
    mark_read,
    notify,
    open_notice,
)

__all__ = ["NoticeView", "before", "grouped", "latest_for", "mark_all_read", "mark_read",
           "notify", "open_notice", "unread_count", "worded"]

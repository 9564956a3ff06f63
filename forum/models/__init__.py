"""Every model module, imported so Alembic and the app see all tables."""
from forum.models import (
    api,  # noqa: F401  (API bookkeeping)
    deliberation,  # noqa: F401  (proposals, outcomes, commitments)
    feeds,  # noqa: F401  (private calendar addresses)
    live,  # noqa: F401  (live-session tables)
    rounds,  # noqa: F401  (statement rounds)
    search,  # noqa: F401  (the search index)
)
from forum.models.accounts import AccessToken, ModeratorScope, Role, Sector, Suspension, User
from forum.models.discussion import (
    Capacity,
    FocusArea,
    Mention,
    Post,
    PostStatus,
    Reaction,
    ReactionKind,
    ReadMark,
    Revision,
    Tag,
    Thread,
    Topic,
    TopicStatus,
)
from forum.models.jobs import FailedJob
from forum.models.mail import EmailDelivery, EmailPreference
from forum.models.moderation import ModerationAction
from forum.models.notifications import (
    NoticeSettings,
    Notification,
    SessionReminder,
    Subscription,
)
from forum.models.security import LoginSession, RecoveryCode, SiteSetting, TrustedDevice

__all__ = [
    "EmailDelivery", "EmailPreference", "FailedJob", "ModerationAction", "NoticeSettings", "Notification", "SessionReminder",
    "Subscription",
    "LoginSession", "RecoveryCode", "SiteSetting", "TrustedDevice",
    "AccessToken", "Capacity", "FocusArea", "Mention", "ModeratorScope", "Post", "PostStatus",
    "Reaction", "ReactionKind", "ReadMark", "Revision", "Role", "Sector", "Suspension", "Tag",
    "Thread", "Topic", "TopicStatus", "User",
]

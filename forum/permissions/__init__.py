"""The one place that answers "may this user do X to Y". Rules live in per-feature modules."""
from forum.permissions.core import Action, can, require, rule

# Importing the rule modules registers their rules.
from forum.permissions import accounts, discussion, live, moderation  # noqa: E402,F401  isort: skip
from forum.permissions import deliberation  # noqa: E402,F401  isort: skip
from forum.permissions import rounds  # noqa: E402,F401  isort: skip

__all__ = ["Action", "can", "require", "rule"]

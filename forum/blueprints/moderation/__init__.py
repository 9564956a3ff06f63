from flask import Blueprint

bp = Blueprint("moderation", __name__)

from forum.blueprints.moderation import views  # noqa: E402,F401


@bp.app_context_processor
def _moderation_helpers() -> dict:
    """Template helpers every page may use (the thread pages include our partials)."""
    from forum.models.moderation import FLAG_REASON_LABELS
    from forum.permissions.core import active_suspension
    from forum.services.moderation.modlog import action_label, public_link, target_label

    return {"active_suspension": active_suspension, "flag_reason_labels": FLAG_REASON_LABELS,
            "action_label": action_label, "public_link": public_link,
            "target_label": target_label}

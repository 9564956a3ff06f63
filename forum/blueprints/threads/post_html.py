"""The part of a post that reads the same for every reader (author line, time, notices, body),
rendered once per version of its inputs and then served from the fragment cache."""
from __future__ import annotations

from flask import request
from flask_babel import get_locale
from markupsafe import Markup

from forum import fragments
from forum.blueprints.threads import bp
from forum.services.reading import PostItem


def head_key(item: PostItem) -> tuple:
    """Every value threads/_post_head.html reads. Add to it whenever that template changes."""
    post, author = item.post, item.post.author
    return (
        post.id, post.status, post.created_at, post.edited_at, post.deleted_at, post.hidden_at,
        post.hidden_reason, post.rejection_reason, post.capacity, post.capacity_label,
        post.body_html,
        author.id, author.display_name, author.sector, author.organisation, author.verified_at,
        item.level, item.reply_to, item.readable,
        str(get_locale()), request.script_root,
    )


@bp.app_template_global()
def post_head(item: PostItem) -> Markup:
    return fragments.render_cached("threads/_post_head.html", head_key(item), item=item,
                                   post=item.post)

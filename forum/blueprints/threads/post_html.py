"""One post of a thread page as HTML, rendered once per version of everything it shows and then
served from the fragment cache: most readers of a post see exactly the same markup."""
from __future__ import annotations

from flask import request
from flask_babel import get_locale
from markupsafe import Markup

from forum import fragments
from forum.blueprints.threads import bp
from forum.services.reading import PostItem


def article_key(item: PostItem, may_reply: bool) -> tuple:
    """Every value threads/_post.html reads. Add to it whenever that template changes."""
    post, author = item.post, item.post.author
    return (
        post.id, post.thread_id, post.status, post.created_at, post.edited_at, post.deleted_at,
        post.hidden_at, post.hidden_reason, post.rejection_reason, post.capacity,
        post.capacity_label, post.body_html,
        author.id, author.display_name, author.sector, author.organisation, author.verified_at,
        item.level, item.reply_to, item.readable, tuple(item.counts.items()),
        frozenset(item.mine), item.may_react, item.may_edit, item.may_flag, item.may_appeal,
        may_reply, str(get_locale()), request.script_root,
    )


@bp.app_template_global()
def post_article(item: PostItem, may_reply: bool) -> Markup:
    return fragments.render_cached("threads/_post.html", article_key(item, may_reply),
                                   item=item, post=item.post, may_reply=may_reply)

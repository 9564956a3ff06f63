"""The repeated parts of a thread page as HTML, rendered once per version of everything they
show and then served from the fragment cache: each post (most readers of a post see exactly
the same markup) and the fields of the empty reply form."""
from __future__ import annotations

from flask import current_app, request
from flask_babel import get_locale
from markupsafe import Markup

from forum import fragments
from forum.blueprints.threads import bp
from forum.services.discussion.reading import PostItem


def article_key(item: PostItem, may_reply: bool) -> tuple:
    """Every value threads/_post.html reads. Add to it whenever that template changes."""
    post, author = item.post, item.post.author
    return (
        post.id, post.thread_id, post.status, post.created_at, post.edited_at, post.deleted_at,
        post.hidden_at, post.hidden_reason, post.rejection_reason, post.capacity,
        post.capacity_label, post.body_html,
        author.id, author.display_name, author.sector, author.organisation, author.verified_at,
        item.level, item.reply_to, item.readable, tuple(item.counts.items()),
        frozenset(item.mine), item.may_react, item.may_edit, item.may_flag, item.flagged,
        item.may_appeal,
        may_reply, str(get_locale()), request.script_root,
    )


@bp.app_template_global()
def post_article(item: PostItem, may_reply: bool) -> Markup:
    return fragments.render_cached("threads/_post.html", article_key(item, may_reply),
                                   item=item, post=item.post, may_reply=may_reply)


@bp.app_template_global()
def reply_fields(form) -> Markup:
    """The reply form's fields (not its CSRF token). Only an empty, unsubmitted form is cached:
    its markup then depends on nothing but the capacity choices offered and the language."""
    if form.is_submitted() or form.errors or form.body.data or form.parent_id.data:
        return Markup(current_app.jinja_env.get_template("threads/_reply_fields.html")
                      .render(form=form))
    key = (tuple((choice.value, str(choice.label)) for choice in form.capacity.choices),
           form.capacity.data, str(get_locale()))
    return fragments.render_cached("threads/_reply_fields.html", key, form=form)

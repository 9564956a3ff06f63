"""Threads and posts: reading pages, starting threads, replying, editing, deleting, reacting."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import ids, ratelimits
from forum.blueprints.threads import bp
from forum.blueprints.threads.forms import EditForm, EmptyForm, ReactForm, ReplyForm, ThreadForm
from forum.exceptions import InvalidInput, NotFound
from forum.permissions import Action, require
from forum.rendering import quote_source
from forum.services.discussion import posting, reading


def _to_post(post_id: int):
    return redirect(url_for("threads.permalink", post_id=post_id))


@bp.route("/topics/<int:topic_id>/threads/new", methods=["GET", "POST"])
@login_required
@ratelimits.thread_creation
def new(topic_id: int):
    topic = posting.get_topic(topic_id)
    form = ThreadForm()
    form.offer_role(current_user)
    if form.validate_on_submit():
        try:
            thread = posting.start_thread(current_user, topic.id, form.title.data,
                                             form.body.data, form.capacity.data)
            return redirect(url_for("threads.show", thread_id=thread.id, page=1))
        except InvalidInput as err:
            err.attach_to(form)
    else:
        posting.require_start(current_user, topic)
    status = form.page_status()
    return render_template("threads/new.html", form=form, topic=topic), status


@bp.get("/threads/<int:thread_id>")
def show(thread_id: int):
    """A page of posts; a member without ?page goes to the first post they have not read."""
    # Held for the whole view: the session keeps loaded rows only while something refers to
    # them, so the services below find this thread again without a query.
    thread = posting.get_thread(thread_id)
    if thread.merged_into_id is not None:  # a merged thread lives on where it was merged
        return redirect(url_for("threads.show", thread_id=thread.merged_into_id))
    page = request.args.get("page", type=ids.number)
    if page is None:
        target = reading.first_unread(current_user, thread_id)
        if target is not None:
            page, post_id = target
            anchor = f"post-{post_id}" if post_id else None
            return redirect(url_for("threads.show", thread_id=thread_id, page=page,
                                    _anchor=anchor))
    view = reading.thread_page(current_user, thread_id, page or 1)
    form = ReplyForm(meta={"csrf": False})  # only shown: the page adds the token it posts with
    form.offer_role(current_user)
    return render_template("threads/show.html", view=view, form=form, thread=thread,
                           viewer=current_user._get_current_object())  # no proxy per post


@bp.route("/threads/<int:thread_id>/reply", methods=["GET", "POST"])
@login_required
@ratelimits.posting
def reply(thread_id: int):
    """GET: a reply form for one post (optionally quoting it). POST: save the reply."""
    thread = posting.get_thread(thread_id)
    form = ReplyForm()
    form.offer_role(current_user)
    parent = _parent(request.values.get("parent_id") or request.args.get("to"), thread.id)
    if form.validate_on_submit():
        try:
            post = posting.reply(current_user, thread.id, form.body.data,
                                    parent_id=parent.id if parent else None,
                                    capacity=form.capacity.data)
            return _to_post(post.id)
        except InvalidInput as err:
            err.attach_to(form)
    elif request.method == "GET":
        posting.require_reply(current_user, thread)
        if parent is not None and request.args.get("quote"):
            form.body.data = quote_source(parent.author.display_name, parent.id, parent.body_source)
    status = form.page_status()
    return render_template("threads/reply.html", form=form, thread=thread, parent=parent), status


def _parent(raw: str | None, thread_id: int):
    """The post a reply answers; it must belong to the same thread."""
    if not raw:
        return None
    try:
        post = posting.get_post(ids.number(raw))
    except (ValueError, NotFound):
        post = None
    if post is None or post.thread_id != thread_id:
        raise InvalidInput({"parent_id": _("You can only reply to a post in this thread.")},
                           code="parent_elsewhere")
    return post


@bp.get("/p/<int:post_id>")
def permalink(post_id: int):
    thread_id, page = reading.permalink(current_user, post_id)
    return redirect(url_for("threads.show", thread_id=thread_id, page=page,
                            _anchor=f"post-{post_id}"))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
@ratelimits.posting
def edit(post_id: int):
    post = posting.get_post(post_id)
    require(current_user, Action.EDIT_POST, post, _("You can only edit your own posts."))
    form = EditForm(obj=post if request.method == "GET" else None)
    form.offer_role(current_user)
    if request.method == "GET":
        form.body.data, form.capacity.data = post.body_source, post.capacity.value
    if form.validate_on_submit():
        try:
            posting.edit_post(current_user, post.id, form.body.data, form.capacity.data)
            flash(_("Your post has been updated."), "success")
            return _to_post(post.id)
        except InvalidInput as err:
            err.attach_to(form)
    status = form.page_status()
    return render_template("threads/edit.html", form=form, post=post), status


@bp.post("/posts/<int:post_id>/delete")
@login_required
def delete(post_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    posting.delete_post(current_user, post_id)
    flash(_("Your post has been deleted."), "success")
    return _to_post(post_id)


@bp.post("/posts/<int:post_id>/react")
@login_required
def react(post_id: int):
    form = ReactForm()
    if not form.validate_on_submit() or bool(form.kind.data) == bool(form.undo.data):
        abort(400)
    posting.react(current_user, post_id, form.kind.data or form.undo.data,
                     on=not form.undo.data)
    return _to_post(post_id)


@bp.get("/posts/<int:post_id>/revisions")
def revisions(post_id: int):
    post, diffs = reading.revisions(current_user, post_id)
    return render_template("threads/revisions.html", post=post, diffs=diffs)


@bp.app_context_processor
def _labels():
    """Label tables the discussion templates use (also on the front page)."""
    from forum.models.discussion import REACTION_LABELS, TOPIC_STATUS_LABELS

    return {"reaction_labels": REACTION_LABELS, "topic_status_labels": TOPIC_STATUS_LABELS}


@bp.app_template_global()
def reaction_choices() -> list[tuple]:
    """(kind, label in the current language) for every reaction, in display order."""
    from forum.models.discussion import REACTION_LABELS

    return [(kind, str(label)) for kind, label in REACTION_LABELS.items()]

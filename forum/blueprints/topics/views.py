"""Focus area and topic pages, and topic curation for moderators."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import ids
from forum.blueprints.topics import bp
from forum.blueprints.topics.forms import TopicForm, ValueForm
from forum.exceptions import InvalidInput
from forum.models.discussion import TOPIC_STATUS_LABELS, TopicStatus
from forum.permissions import Action, require
from forum.services.discussion import curation, posting, reading


@bp.get("/areas/<slug>")
def area(slug: str):
    return render_template("topics/area.html", view=reading.area_page(current_user, slug))


@bp.get("/topics/<int:topic_id>")
def show(topic_id: int):
    view = reading.topic_page(current_user, topic_id, request.args.get("page", 1, type=ids.number))
    return render_template("topics/show.html", view=view, topic=view.topic, form=ValueForm(),
                           statuses=list(TopicStatus))


@bp.route("/areas/<slug>/topics/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    area = curation.get_area(slug)
    require(current_user, Action.CURATE_TOPIC, area)
    form = TopicForm()
    if form.validate_on_submit():
        try:
            topic = curation.create_topic(current_user, slug, form.title.data,
                                          form.framing.data, form.tags.data)
            return redirect(url_for("topics.show", topic_id=topic.id))
        except InvalidInput as err:
            err.attach_to(form)
    status = form.page_status()
    return render_template("topics/form.html", form=form, area=area, topic=None), status


@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@login_required
def edit(topic_id: int):
    topic = posting.get_topic(topic_id)
    require(current_user, Action.CURATE_TOPIC, topic)
    form = TopicForm()
    if request.method == "GET":
        form.title.data, form.framing.data = topic.title, topic.framing_source
        form.tags.data = ", ".join(tag.name for tag in topic.tags)
    if form.validate_on_submit():
        try:
            curation.edit_topic(current_user, topic.id, form.title.data, form.framing.data,
                                form.tags.data)
            return redirect(url_for("topics.show", topic_id=topic.id))
        except InvalidInput as err:
            err.attach_to(form)
    status = form.page_status()
    return render_template("topics/form.html", form=form, area=topic.focus_area,
                           topic=topic), status


def _value() -> str:
    form = ValueForm()
    if not form.validate_on_submit():
        abort(400)
    return form.value.data


@bp.post("/topics/<int:topic_id>/pin")
@login_required
def pin(topic_id: int):
    curation.set_flags(current_user, topic_id, pinned=_value() == "1")
    return redirect(url_for("topics.show", topic_id=topic_id))


@bp.post("/topics/<int:topic_id>/feature")
@login_required
def feature(topic_id: int):
    curation.set_flags(current_user, topic_id, featured=_value() == "1")
    return redirect(url_for("topics.show", topic_id=topic_id))


@bp.post("/topics/<int:topic_id>/status")
@login_required
def status(topic_id: int):
    """Open, close or archive a topic."""
    topic = curation.set_status(current_user, topic_id, _value())
    flash(_("The topic is now: %(status)s", status=TOPIC_STATUS_LABELS[topic.status]), "success")
    return redirect(url_for("topics.show", topic_id=topic_id))

"""The unsubscribe link of every email that belongs to a kind a member can turn off: GET
asks, POST (the page's button, or a mail program's one-click request, RFC 8058) does it.
Neither needs a signed-in member: the signed token says who and what."""
from __future__ import annotations

from flask import render_template, request

from forum.blueprints.mail import bp
from forum.extensions import csrf
from forum.services.mail import preferences


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail programs post without our token; the signed link is the authority
def unsubscribe(token: str):
    """Confirm, then turn off one kind of email for the member the link was made for."""
    if request.method == "POST":
        member, kind = preferences.unsubscribe(token)
    else:
        member, kind = preferences.read_token(token)
    return render_template("mail/unsubscribe.html", member=member, token=token,
                           kind_label=preferences.kind_label(kind),
                           done=request.method == "POST")

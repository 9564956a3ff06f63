"""The kinds of notice: how each is worded (at display time, in the reader's language), where
it leads, and which kind of email carries it.

A notice stores its kind and parameters (ids and names), never sentences: the same row reads
in Swedish to one member and in English to another, and in the language a member chooses
later. Rows from before this storage keep their old sentence as `params["legacy"]`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from forum.models.mail import EmailDelivery
from forum.services.mail import preferences

# Kinds of email a member chooses off / at once / daily for (see the settings page).
MAIL_KINDS = {
    "reply": (_l("Replies to my posts"), EmailDelivery.IMMEDIATE),
    "mention": (_l("Mentions of me (@name)"), EmailDelivery.IMMEDIATE),
    "quote": (_l("Quotes of my posts"), EmailDelivery.IMMEDIATE),
    "following": (_l("New threads and posts in what I follow"), EmailDelivery.DAILY),
    "moderation": (_l("Moderation decisions on my content or my flags"),
                   EmailDelivery.IMMEDIATE),
    "sessions": (_l("Live sessions I signed up for, before they start"),
                 EmailDelivery.IMMEDIATE),
    "deliberation": (_l("Outcomes of proposals I took part in, and my commitments"),
                     EmailDelivery.IMMEDIATE),
}
DIGEST = "digest"  # the daily digest itself: its unsubscribe link stops it

for _name, (_label, _default) in MAIL_KINDS.items():
    preferences.register_kind(_name, _label, _default)
preferences.register_kind(DIGEST, _l("the daily digest"), EmailDelivery.IMMEDIATE)


@dataclass(frozen=True)
class Kind:
    name: str
    mail_kind: str
    text: Callable[[dict], str]  # the sentence, in the current locale
    link: Callable[[dict], str | None] = lambda params: None
    groups: bool = False  # many of one thread are shown as one line


KINDS: dict[str, Kind] = {}


def kind(name: str, mail_kind: str, *, groups: bool = False, link=None):
    """Register how notices of `name` read (the decorated function) and where they lead."""

    def register(text: Callable[[dict], str]) -> Callable[[dict], str]:
        if name in KINDS or mail_kind not in MAIL_KINDS:
            raise ValueError(f"notice kind {name!r} is taken or its email kind unknown")
        KINDS[name] = Kind(name, mail_kind, text, link or (lambda params: None), groups)
        return text

    return register


def _url(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except (BuildError, RuntimeError):
        return None


def _to_post(params: dict) -> str | None:
    return _url("threads.permalink", post_id=params["post_id"]) if params.get("post_id") else None


def _to_thread(params: dict) -> str | None:
    return _url("threads.show", thread_id=params["thread_id"]) if params.get("thread_id") else None


def _to_appeal(params: dict) -> str | None:
    action = params.get("action_id")
    return _url("moderation.new_appeal", action_id=action) if action else None


def _to_session(params: dict) -> str | None:
    return _url("live.show", session_id=params["session_id"]) if params.get("session_id") else None


def _to_proposal(params: dict) -> str | None:
    return _url("deliberation.show", proposal_id=params["proposal_id"]) \
        if params.get("proposal_id") else None


def _to_round(params: dict) -> str | None:
    return _url("deliberation.show_round", round_id=params["round_id"]) \
        if params.get("round_id") else None


def _to_commitment(params: dict) -> str | None:
    return _url("deliberation.commitment", commitment_id=params["commitment_id"]) \
        if params.get("commitment_id") else None


def _what(params: dict) -> str:
    return _("thread") if params.get("what") == "thread" else _("post")


# --- Discussion ---------------------------------------------------------------------------

@kind("reply", "reply", groups=True, link=_to_post)
def _reply(p: dict) -> str:
    return _("%(name)s replied to your post in “%(title)s”", name=p["actor"], title=p["title"])


@kind("mention", "mention", groups=True, link=_to_post)
def _mention(p: dict) -> str:
    return _("%(name)s mentioned you in “%(title)s”", name=p["actor"], title=p["title"])


@kind("quote", "quote", groups=True, link=_to_post)
def _quote(p: dict) -> str:
    return _("%(name)s quoted your post in “%(title)s”", name=p["actor"], title=p["title"])


@kind("new_post", "following", groups=True, link=_to_post)
def _new_post(p: dict) -> str:
    return _("%(name)s posted in “%(title)s”, which you follow", name=p["actor"],
             title=p["title"])


@kind("new_thread", "following", link=_to_thread)
def _new_thread(p: dict) -> str:
    return _("%(name)s started “%(title)s” in “%(where)s”, which you follow", name=p["actor"],
             title=p["title"], where=p["where"])


# --- Moderation ---------------------------------------------------------------------------

@kind("flag_reviewed", "moderation",
      link=lambda p: _to_post(p) or _to_thread(p) or _to_round(p))
def _flag_reviewed(p: dict) -> str:
    return _("A moderator has reviewed the item you flagged. The decision is in the public "
             "moderation log.")


@kind("content_hidden", "moderation", link=_to_appeal)
def _hidden(p: dict) -> str:
    return _("A moderator hid your %(what)s: %(reason)s", what=_what(p), reason=p["reason"])


@kind("content_restored", "moderation", link=lambda p: _to_post(p) or _to_thread(p))
def _restored(p: dict) -> str:
    return _("A moderator restored your %(what)s.", what=_what(p))


@kind("content_edited_out", "moderation", link=_to_appeal)
def _edited_out(p: dict) -> str:
    return _("A moderator edited personal data out of your post: %(reason)s",
             reason=p["reason"])


@kind("post_rejected", "moderation", link=_to_appeal)
def _rejected(p: dict) -> str:
    return _("A moderator did not publish your post: %(reason)s", reason=p["reason"])


@kind("post_approved", "moderation", link=_to_post)
def _approved(p: dict) -> str:
    return _("A moderator approved your post; it is now published.")


@kind("warning", "moderation", link=_to_appeal)
def _warning(p: dict) -> str:
    return _("A moderator has warned you: %(reason)s", reason=p["reason"])


@kind("suspension", "moderation", link=_to_appeal)
def _suspension(p: dict) -> str:
    return _("Your account is suspended: %(reason)s", reason=p["reason"])


@kind("suspension_lifted", "moderation")
def _suspension_lifted(p: dict) -> str:
    return _("Your suspension has been lifted.")


@kind("appeal_decided", "moderation", link=lambda p: _url("moderation.log"))
def _appeal(p: dict) -> str:
    if p.get("overturned"):
        return _("Your appeal was granted and the decision undone: %(reason)s",
                 reason=p["reason"])
    return _("Your appeal was not granted: %(reason)s", reason=p["reason"])


# --- Deliberation and live sessions -------------------------------------------------------

@kind("proposal_outcome", "deliberation", link=_to_proposal)
def _outcome(p: dict) -> str:
    return _("The outcome of the proposal “%(title)s” has been recorded.", title=p["title"])


@kind("proposal_closed", "deliberation", link=_to_proposal)
def _closed(p: dict) -> str:
    return _("The proposal “%(title)s” you took part in has closed.", title=p["title"])


@kind("commitment", "deliberation", link=_to_commitment)
def _commitment(p: dict) -> str:
    return _("A commitment of yours has been recorded: %(text)s", text=p["text"])


@kind("commitment_review_soon", "deliberation", link=_to_commitment)
def _review_soon(p: dict) -> str:
    return _("Your commitment is due for review on %(day)s: %(text)s",
             day=format_date(date.fromisoformat(p["day"])), text=p["text"])


@kind("commitment_review_passed", "deliberation", link=_to_commitment)
def _review_passed(p: dict) -> str:
    return _("The review date of your commitment has passed: %(text)s", text=p["text"])


@kind("session_soon", "sessions", link=_to_session)
def _session_soon(p: dict) -> str:
    return _("The live session “%(title)s” starts in 15 minutes.", title=p["title"])


@kind("session_now", "sessions", link=_to_session)
def _session_now(p: dict) -> str:
    return _("The live session “%(title)s” is starting now.", title=p["title"])


# --- Showing notices ------------------------------------------------------------------------

def text_of(name: str, params: dict) -> str:
    """The notice's sentence in the current locale. A row written before kinds had
    parameters shows its old sentence; a kind this version does not know says so plainly."""
    found = KINDS.get(name)
    if found is not None:
        try:
            return found.text(params)
        except (KeyError, TypeError, ValueError):
            pass
    if isinstance(params.get("legacy"), str):
        return params["legacy"]
    return _("You have a notice.")


def link_of(name: str, params: dict, stored: str | None) -> str | None:
    found = KINDS.get(name)
    built = found.link(params) if found is not None else None
    return built or stored


def group_text(name: str, count: int, title: str) -> str:
    """The line standing for `count` notices of one kind in one thread."""
    if name == "reply":
        return ngettext("%(num)d new reply to you in “%(title)s”",
                        "%(num)d new replies to you in “%(title)s”", count, title=title)
    if name == "mention":
        return ngettext("%(num)d mention of you in “%(title)s”",
                        "%(num)d mentions of you in “%(title)s”", count, title=title)
    if name == "quote":
        return ngettext("%(num)d quote of your posts in “%(title)s”",
                        "%(num)d quotes of your posts in “%(title)s”", count, title=title)
    return ngettext("%(num)d new post in “%(title)s”", "%(num)d new posts in “%(title)s”",
                    count, title=title)


def mail_kind_of(name: str) -> str | None:
    found = KINDS.get(name)
    return found.mail_kind if found is not None else None


def names_for_mail_kind(mail_kind: str) -> list[str]:
    return sorted(k.name for k in KINDS.values() if k.mail_kind == mail_kind)

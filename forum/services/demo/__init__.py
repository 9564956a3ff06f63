"""A living demo forum for `forum seed --demo`: people, discussion, moderation, live sessions,
deliberation, sign-in sessions, follows and notifications."""
from __future__ import annotations

from forum.services import mail
from forum.services.demo import (
    api,
    deliberation,
    discussion,
    live,
    moderation,
    notifications,
    people,
    rounds,
    security,
)


def add_demo_content() -> str:
    """Add the demo once; a second run finds the demo people and stops."""
    cast = people.ensure_people()
    if cast is None:
        return "Demo content is already present."
    lines = ["Demo members: " + ", ".join(sorted(cast))]
    for part in (discussion, live, moderation, deliberation, rounds, api, security, notifications):
        lines.append(part.add(cast))
    mail.send_to_member(cast["admin"], "test_message")
    lines.append("Queued a test email to the demo admin (the worker writes it to the outbox).")
    return "\n".join(line for line in lines if line)

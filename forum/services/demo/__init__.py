"""A living demo forum for `forum seed --demo`: people, discussion, moderation, live sessions,
deliberation, sign-in sessions."""
from __future__ import annotations

from forum.services.demo import deliberation, discussion, live, moderation, people, security


def add_demo_content() -> str:
    """Add the demo once; a second run finds the demo people and stops."""
    cast = people.ensure_people()
    if cast is None:
        return "Demo content is already present."
    lines = ["Demo members: " + ", ".join(sorted(cast))]
    for part in (discussion, live, moderation, deliberation, security):
        lines.append(part.add(cast))
    return "\n".join(line for line in lines if line)

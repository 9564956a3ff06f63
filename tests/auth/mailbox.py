"""Reading what the forum emailed (the outbox folder) in the account tests."""
from __future__ import annotations

import email
import re
from email.policy import default
from pathlib import Path
from urllib.parse import urlsplit


def outbox(app) -> list:
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    return [email.message_from_bytes(p.read_bytes(), policy=default)
            for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def link_in(message, prefix: str) -> str:
    """The path of the first link starting with `prefix` in the text part."""
    text = message.get_body(("plain",)).get_content()
    url = re.search(r"https?://\S*" + re.escape(prefix) + r"\S+", text).group(0)
    return urlsplit(url).path

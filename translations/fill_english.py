"""English is the source language: copy each msgid into the English catalogue's msgstr."""
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PATH = Path(__file__).parent / "en" / "LC_MESSAGES" / "messages.po"

with PATH.open("rb") as fh:
    catalog = read_po(fh, locale="en")
for message in catalog:
    if not message.id:
        continue
    message.string = message.id
    message.flags.discard("fuzzy")
with PATH.open("wb") as fh:
    write_po(fh, catalog, width=100)

"""Results of a proposal: counts of positions overall and by sector, for all members and for
verified members alone, and the plain-words summary of where the sectors stand, in every
language we ship. Counts are always computed from the stored positions (one per member), so
they are exact; `tally` is the one form pages, the live room and watchers all receive."""
from __future__ import annotations

from babel.lists import format_list
from flask import current_app
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from forum.extensions import db
from forum.models.accounts import Sector
from forum.models.deliberation import Position, Proposal, Stance

# Sector names as they read inside a sentence ("Politics and business: a majority for.").
SECTOR_IN_TEXT = {
    Sector.POLITICS: _l("politics"),
    Sector.CIVIL_SERVICE: _l("civil service"),
    Sector.BUSINESS: _l("business"),
    Sector.CIVIL_SOCIETY: _l("civil society"),
    Sector.ACADEMIA: _l("academia"),
    Sector.RESIDENT: _l("residents"),
}
GROUPS = ("all", "verified")  # all members, and verified members alone


def _empty() -> dict[str, int]:
    return {**{stance.value: 0 for stance in Stance}, "count": 0}


def counts(proposal_id: int) -> dict:
    """{"all"|"verified": {"total": {stance: n, "count": n}, "sectors": {sector: {...}}}},
    every sector and stance present (zeros included)."""
    result = {group: {"total": _empty(), "sectors": {s.value: _empty() for s in Sector}}
              for group in GROUPS}
    rows = db.session.execute(
        select(Position.sector, Position.stance, Position.verified, func.count())
        .where(Position.proposal_id == proposal_id)
        .group_by(Position.sector, Position.stance, Position.verified))
    for sector, stance, verified, n in rows:
        for group in ("all", "verified") if verified else ("all",):
            for cell in (result[group]["total"], result[group]["sectors"][sector.value]):
                cell[stance.value] += n
                cell["count"] += n
    return result


def tally(proposal: Proposal, *, status: str | None = None) -> dict:
    """The results as they travel: counts, the summary in every language, and the proposal's
    version (clients keep the highest they have seen)."""
    numbers = counts(proposal.id)
    return {"proposal_id": proposal.id, "version": proposal.version,
            "status": status or ("open" if proposal.is_open() else "closed"),
            "counts": numbers, "summary": summaries(numbers)}


def summaries(numbers: dict) -> dict[str, list[str]]:
    """The plain-words summary in each language of the site."""
    out = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            out[language] = summary(numbers)
    return out


def lean(cell: dict) -> str | None:
    """How a group leans: "for" or "against" (more than half), "aside" (more than half
    abstain), "split" (none of these), or None without positions."""
    n = cell["count"]
    if not n:
        return None
    if 2 * cell[Stance.AGREE] > n:
        return "for"
    if 2 * (cell[Stance.DISAGREE] + cell[Stance.BLOCK]) > n:
        return "against"
    if 2 * cell[Stance.ABSTAIN] > n:
        return "aside"
    return "split"


def summary(numbers: dict) -> list[str]:
    """Sentences in the current language: the overall count, how each sector leans, the
    blocks, and the verified members' figures when they differ from everyone's."""
    everyone = numbers["all"]
    if not everyone["total"]["count"]:
        return [_("No positions yet.")]
    lines = [_overall(everyone["total"], numbers["verified"]["total"]["count"])]
    lines += _sector_lines(everyone["sectors"])
    lines += _block_lines(everyone)
    verified = numbers["verified"]["total"]
    if verified["count"] and verified["count"] != everyone["total"]["count"]:
        lines.append(_("Verified members alone: %(agree)d agree, %(abstain)d abstain, "
                       "%(disagree)d disagree, %(block)d block.", **_stances(verified)))
    return [_capitalised(line) for line in lines]


def _stances(cell: dict) -> dict[str, int]:
    return {stance.value: cell[stance.value] for stance in Stance}


def _overall(total: dict, verified: int) -> str:
    return ngettext("%(num)d member has taken a position (%(verified)d verified): "
                    "%(agree)d agree, %(abstain)d abstain, %(disagree)d disagree, "
                    "%(block)d block.",
                    "%(num)d members have taken a position (%(verified)d verified): "
                    "%(agree)d agree, %(abstain)d abstain, %(disagree)d disagree, "
                    "%(block)d block.", total["count"], verified=verified, **_stances(total))


def _names(sectors: list[str]) -> str:
    return format_list([str(SECTOR_IN_TEXT[Sector(s)]) for s in sectors],
                       locale=str(get_locale() or "en"))


def _sector_lines(sectors: dict[str, dict]) -> list[str]:
    leans = {sector: lean(cell) for sector, cell in sectors.items()}
    present = [s for s, value in leans.items() if value]
    missing = [s for s, value in leans.items() if not value]
    kinds = {leans[s] for s in present}
    lines = []
    if kinds == {"for"}:
        lines.append(_("Every sector has a majority for.") if not missing else
                     _("Every sector that has taken part has a majority for."))
    elif kinds == {"against"}:
        lines.append(_("Every sector has a majority against.") if not missing else
                     _("Every sector that has taken part has a majority against."))
    else:
        sentences = {"for": _l("%(sectors)s: a majority for."),
                     "against": _l("%(sectors)s: a majority against."),
                     "split": _l("%(sectors)s: split."),
                     "aside": _l("%(sectors)s: most stand aside.")}
        for kind, sentence in sentences.items():
            group = [s for s in present if leans[s] == kind]
            if group:
                lines.append(str(sentence) % {"sectors": _names(group)})
    if missing:
        lines.append(_("No positions yet from %(sectors)s.", sectors=_names(missing)))
    return lines


def _block_lines(everyone: dict) -> list[str]:
    blocks = everyone["total"][Stance.BLOCK]
    if not blocks:
        return []
    by_sector = [(s, cell[Stance.BLOCK]) for s, cell in everyone["sectors"].items()
                 if cell[Stance.BLOCK]]
    if blocks == 1:
        return [_("One block, from %(sector)s.", sector=_names([by_sector[0][0]]))]
    detail = format_list([_("%(num)d from %(sector)s", num=n, sector=_names([s]))
                          for s, n in by_sector], locale=str(get_locale() or "en"))
    return [_("%(num)d blocks: %(detail)s.", num=blocks, detail=detail)]


def _capitalised(line: str) -> str:
    return line[:1].upper() + line[1:]

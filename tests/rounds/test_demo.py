"""`forum seed --demo` holds a statement round whose results show common ground, a divide and
two opinion groups."""
from __future__ import annotations

from sqlalchemy import select

from forum.models.rounds import Round
from forum.services.deliberation import round_results, statement_queue
from tests import factories


def test_demo_round_shows_common_ground_a_divide_and_two_groups(demo_forum, db, client):
    (made,) = db.session.scalars(select(Round)).all()
    found = round_results.compute(made)
    texts = {r.id: found.statements[r.id].text for r in found.by_sector.values()}
    assert len(found.sectors) == 6
    common = {texts[r.id] for r in found.common}
    assert "Kajerna ska vara öppna för alla, året runt." in common and len(common) == 3
    assert texts[found.divisive[0].id].startswith("Hamnverksamheten ska få stanna")
    assert found.groups["status"] == "ok" and found.groups["k"] == 2
    assert found.groups_current  # computed at seed time, for the round as it stands
    for group in found.group_views:
        assert len(group.sectors) == 6  # the groups cut across every sector
    page = client.get(f"/rounds/{made.id}/results")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kajerna ska vara öppna" in html and "Group B" in html
    assert "Groups computed" in html and "being computed" not in html


def test_demo_round_has_a_statement_waiting_and_one_flagged_in_the_queue(demo_forum, db):
    admin = factories.make_admin()
    assert [s.text for s in statement_queue.pending(admin)] == [
        "Båtklubben ska få gratis plats vid kajen."]
    assert [i.statement.text for i in statement_queue.flagged(admin)] == [
        "Köp billiga klockor på min webbplats!"]

"""The demo gives an API client a token that works, printed once."""


def test_the_demo_prints_a_working_read_write_token(demo_forum, client, db):
    secret = demo_forum.split("API token for karin (read, write): ")[1].split()[0]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json["display_name"] == "Karin Sjöberg"
    assert me.json["token"]["scopes"] == ["read", "write"]
    assert client.get("/api/v1/threads/1/posts").status_code == 200

from tests import factories


def test_home_lists_the_three_focus_areas_in_swedish(app, client, db):
    app.config["BABEL_DEFAULT_LOCALE"] = "sv"  # the product default; the suite runs in English
    factories.focus_area()
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in page
    for name in ("Innovativ välfärds- och stadsutveckling", "Förbättrad livskvalitet",
                 "City governance – ledarskap för framgångsrik stadsutveckling"):
        assert name in page


def test_thread_factory_builds_a_consistent_thread(db):
    thread = factories.make_thread(posts=3)
    post = factories.make_post(thread)
    assert post.position == 4 and thread.post_count == 4 and thread.last_post_id == post.id

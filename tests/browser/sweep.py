"""Every kind of page the accessibility sweep visits, keyed by the endpoint that serves it.

Each GET route that answers with HTML needs at least one Visit here; test_sweep_complete fails
otherwise, so a page added later is checked too. A Visit names who looks (a demo member key or
None for a visitor), the path (built from the ids the server preparation wrote), the status to
expect, and optionally a form to submit empty so the page shows its errors.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Visit:
    endpoint: str
    path: Callable[[dict], str]
    who: str | None = None  # demo member key, a key of facts["emails"], or None for a visitor
    status: int = 200
    submit: str | None = None  # CSS selector of a submit button pressed to show form errors
    ready: str | None = None  # CSS selector to wait for before checking (script-drawn pages)
    name: str = ""

    @property
    def id(self) -> str:
        return self.name or self.endpoint


def _live(status: str) -> Callable[[dict], str]:
    return lambda f: f"/live/{f['live_session_ids'][status]}"


VISITS: list[Visit] = [
    # home and about
    Visit("home.index", lambda f: "/"),
    Visit("home.index", lambda f: "/", who="anna", name="home.index-member"),
    Visit("home.about", lambda f: "/about"),
    Visit("search.page", lambda f: "/search"),
    Visit("search.page", lambda f: "/search?q=harbour", who="anna", name="search.page-results"),
    Visit("search.page", lambda f: "/search?q=%22*%22&since=yesterday", status=400,
          name="search.page-errors"),
    # accounts
    Visit("auth.register", lambda f: "/register"),
    Visit("auth.register", lambda f: "/register", status=400, submit="main form button[type=submit]",
          name="auth.register-errors"),
    Visit("auth.login", lambda f: "/login"),
    Visit("auth.forgot_password", lambda f: "/password/forgot"),
    Visit("auth.forgot_password", lambda f: "/password/forgot", status=400,
          submit="main form button[type=submit]", name="auth.forgot_password-errors"),
    Visit("auth.reset_password", lambda f: f"/password/reset/{f['reset_token']}"),
    Visit("auth.reset_password", lambda f: "/password/reset/changed.link", status=400,
          name="auth.reset_password-refused"),
    Visit("auth.confirm_email", lambda f: f"/account/confirm/{f['confirm_token']}"),
    Visit("auth.confirm_email", lambda f: "/account/confirm/changed.link", status=400,
          name="auth.confirm_email-refused"),
    Visit("home.index", lambda f: "/", who="unconfirmed", name="home.index-unconfirmed-banner"),
    Visit("auth.two_factor_step", lambda f: "/login/two-factor", who="half_signed_in"),
    Visit("security.overview", lambda f: "/account/security", who="omar"),
    Visit("security.overview", lambda f: "/account/security", who="two_factor",
          name="security.overview-two-factor-on"),
    Visit("security.two_factor_setup", lambda f: "/account/two-factor", who="omar"),
    Visit("security.two_factor_setup", lambda f: "/account/two-factor", who="omar", status=400,
          submit="main form button[type=submit]", name="security.two_factor_setup-errors"),
    Visit("auth.change_password", lambda f: "/account/password", who="omar"),
    Visit("auth.change_password", lambda f: "/account/password", who="omar", status=400,
          submit="main form button[type=submit]", name="auth.change_password-errors"),
    Visit("profiles.show", lambda f: f"/members/{f['users']['anna']}"),
    Visit("profiles.show", lambda f: f"/members/{f['users']['sara']}", who="mod",
          name="profiles.show-moderator"),
    Visit("profiles.edit", lambda f: "/account/profile", who="omar"),
    Visit("profiles.tokens", lambda f: "/account/tokens", who="omar"),
    Visit("profiles.data", lambda f: "/account/data", who="omar"),
    # discussion
    Visit("topics.area", lambda f: f"/areas/{f['area_slugs'][0]}"),
    Visit("topics.show", lambda f: f"/topics/{f['topic_id']}"),
    Visit("topics.create", lambda f: f"/areas/{f['area_slugs'][0]}/topics/new", who="mod"),
    Visit("topics.edit", lambda f: f"/topics/{f['topic_id']}/edit", who="mod"),
    Visit("threads.show", lambda f: f"/threads/{f['thread_id']}"),
    Visit("threads.show", lambda f: f"/threads/{f['thread_id']}", who="omar",
          name="threads.show-member"),
    Visit("threads.show", lambda f: f"/threads/{f['thread_id']}", who="mod",
          name="threads.show-moderator"),
    Visit("threads.permalink", lambda f: f"/p/{f['post_id']}"),
    Visit("threads.new", lambda f: f"/topics/{f['topic_id']}/threads/new", who="omar"),
    Visit("threads.new", lambda f: f"/topics/{f['topic_id']}/threads/new", who="omar", status=400,
          submit="main form button[type=submit]", name="threads.new-errors"),
    Visit("threads.reply", lambda f: f"/threads/{f['thread_id']}/reply", who="omar"),
    Visit("threads.edit", lambda f: f"/posts/{f['revised_post_id']}/edit", who="reviser"),
    Visit("threads.revisions", lambda f: f"/posts/{f['revised_post_id']}/revisions"),
    # moderation
    Visit("moderation.flag", lambda f: f"/moderation/flag/post/{f['post_id']}", who="leila"),
    Visit("moderation.queue", lambda f: "/moderation/queue", who="mod"),
    Visit("moderation.item", lambda f: "/moderation/queue/{}/{}".format(*f["flag_target"]),
          who="mod"),
    Visit("moderation.log", lambda f: "/moderation/log"),
    Visit("moderation.edit_out", lambda f: f"/moderation/posts/{f['post_id']}/edit-out",
          who="mod"),
    Visit("moderation.move", lambda f: f"/moderation/threads/{f['thread_id']}/move", who="mod"),
    Visit("moderation.merge", lambda f: f"/moderation/threads/{f['thread_id']}/merge", who="mod"),
    Visit("moderation.suspend", lambda f: f"/moderation/members/{f['users']['sara']}/suspend",
          who="mod"),
    Visit("moderation.suspensions", lambda f: "/moderation/suspensions", who="mod"),
    Visit("moderation.appeal", lambda f: f"/moderation/appeals/{f['appeal_id']}", who="admin"),
    Visit("moderation.new_appeal", lambda f: f"/moderation/appeals/new/{f['unappealed']['action_id']}",
          who="unappealed"),
    Visit("moderation.appeal_item", lambda f: f"/moderation/appeal/post/{f['unappealed']['post_id']}",
          who="unappealed"),
    # notifications and following
    Visit("notifications.index", lambda f: "/notifications", who="anna"),
    Visit("notifications.index", lambda f: "/notifications", who="omar",
          name="notifications.index-second-member"),
    Visit("notifications.followed", lambda f: "/account/following", who="anna"),
    Visit("notifications.followed", lambda f: "/account/following", who="omar",
          name="notifications.followed-second-member"),
    Visit("notifications.settings_page", lambda f: "/account/notifications", who="anna"),
    # administration
    Visit("admin.index", lambda f: "/admin/", who="admin"),
    Visit("admin.member", lambda f: f"/admin/members/{f['users']['sara']}", who="admin"),
    Visit("admin.security", lambda f: "/admin/security", who="admin"),
    Visit("admin.jobs", lambda f: "/admin/jobs", who="admin"),
    Visit("admin.webhooks_index", lambda f: "/admin/webhooks", who="admin"),
    Visit("admin.webhooks_index", lambda f: "/admin/webhooks", who="admin", status=400,
          submit="main form button[type=submit]", name="admin.webhooks_index-errors"),
    Visit("admin.webhook", lambda f: f"/admin/webhooks/{f['webhook_id']}", who="admin"),
    # email
    Visit("mail.unsubscribe", lambda f: f"/unsubscribe/{f['unsubscribe_token']}"),
    Visit("mail.unsubscribe", lambda f: f"/unsubscribe/{f['unsubscribe_token']}", status=200,
          submit="main form button[type=submit]", name="mail.unsubscribe-done"),
    Visit("mail.unsubscribe", lambda f: "/unsubscribe/changed.link", status=400,
          name="mail.unsubscribe-refused"),
    # live sessions
    Visit("live.index", lambda f: "/live/"),
    Visit("live.show", _live("scheduled")),
    Visit("live.show", _live("scheduled"), who="mod", name="live.show-room-before-start"),
    Visit("live.show", _live("scheduled"), who="omar", name="live.show-rsvp-member"),
    Visit("live.show", _live("live"), who="omar", name="live.show-room-during-session",
          ready="#live-connection[data-state=connected]"),
    Visit("live.show", _live("live"), who="mod", name="live.show-room-moderator",
          ready="#live-connection[data-state=connected]"),
    Visit("live.show", _live("ended"), name="live.show-ended"),
    Visit("live.create", lambda f: "/live/new", who="mod"),
    # feeds: the member's sessions and private calendar address (a new one shown once)
    Visit("feeds.account", lambda f: "/account/calendar", who="omar"),
    Visit("feeds.account", lambda f: "/account/calendar", who="omar",
          submit="form[action$='/account/calendar/renew'] button[type=submit]",
          name="feeds.account-new-address"),
    Visit("live.edit", lambda f: f"/live/{f['live_session_ids']['scheduled']}/edit", who="mod"),
    # deliberation
    Visit("deliberation.show", lambda f: f"/proposals/{f['deliberation']['open']}"),
    Visit("deliberation.show", lambda f: f"/proposals/{f['deliberation']['open']}", who="anna",
          name="deliberation.show-member"),
    Visit("deliberation.show", lambda f: f"/proposals/{f['deliberation']['closed']}",
          name="deliberation.show-outcome"),
    Visit("deliberation.show", lambda f: f"/proposals/{f['deliberation']['closed']}",
          who="mod", name="deliberation.show-moderator"),
    Visit("deliberation.new_proposal",
          lambda f: f"/threads/{f['deliberation']['open_thread']}/proposals/new", who="anna"),
    Visit("deliberation.new_proposal",
          lambda f: f"/threads/{f['deliberation']['open_thread']}/proposals/new", who="anna",
          status=400, submit="main form button[type=submit]",
          name="deliberation.new_proposal-errors"),
    Visit("deliberation.new_session_proposal",
          lambda f: f"/live/{f['deliberation']['session']}/proposals/new", who="mod"),
    Visit("deliberation.outcome", lambda f: f"/proposals/{f['deliberation']['closed']}/outcome",
          who="mod"),
    Visit("deliberation.new_outcome_commitment",
          lambda f: f"/proposals/{f['deliberation']['closed']}/commitments/new", who="mod"),
    Visit("deliberation.new_outcome_commitment",
          lambda f: f"/proposals/{f['deliberation']['closed']}/commitments/new", who="mod",
          status=400, submit="main form button[type=submit]",
          name="deliberation.new_outcome_commitment-errors"),
    Visit("deliberation.new_session_commitment",
          lambda f: f"/live/{f['deliberation']['session']}/commitments/new", who="mod"),
    Visit("deliberation.ledger", lambda f: "/commitments"),
    Visit("deliberation.ledger", lambda f: "/commitments?status=overdue",
          name="deliberation.ledger-overdue"),
    Visit("deliberation.commitment", lambda f: f"/commitments/{f['deliberation']['commitment']}"),
    Visit("deliberation.commitment", lambda f: f"/commitments/{f['deliberation']['commitment']}",
          who="karin", name="deliberation.commitment-owner"),
    # statement rounds
    Visit("deliberation.show_round", lambda f: f"/rounds/{f['rounds']['round']}"),
    Visit("deliberation.show_round", lambda f: f"/rounds/{f['rounds']['round']}", who="anna",
          name="deliberation.show_round-member"),
    Visit("deliberation.show_round", lambda f: f"/rounds/{f['rounds']['round']}", who="mod",
          name="deliberation.show_round-moderator"),
    Visit("deliberation.round_results_page", lambda f: f"/rounds/{f['rounds']['round']}/results"),
    Visit("deliberation.new_round", lambda f: f"/threads/{f['rounds']['thread']}/rounds/new",
          who="mod"),
    Visit("deliberation.new_round", lambda f: f"/threads/{f['rounds']['thread']}/rounds/new",
          who="mod", status=400, submit="main form button[type=submit]",
          name="deliberation.new_round-errors"),
    Visit("deliberation.new_session_round",
          lambda f: f"/live/{f['deliberation']['session']}/rounds/new", who="mod"),
    # error pages
    # the JSON API's documentation (Swagger UI, drawn by script from our own files)
    Visit("api_pages.docs", lambda f: "/api/v1/docs", ready="#swagger-ui .opblock-tag"),
    Visit("error.404", lambda f: "/no/such/page", status=404),
    Visit("error.403", lambda f: "/moderation/queue", who="omar", status=403),
]

# GET routes that answer with something other than an HTML page, and why they need no visit.
NOT_PAGES = {
    "static": "our own CSS, scripts and images",
    "live.calendar": "an iCalendar file",
    "feeds.latest": "an Atom feed",
    "feeds.area": "an Atom feed",
    "feeds.topic": "an Atom feed",
    "feeds.thread": "an Atom feed",
    "feeds.live_calendar": "an iCalendar feed",
    "feeds.member_calendar": "an iCalendar feed behind a member's secret address",
    "profiles.export": "a JSON download of the member's data",
    "health.check": "a JSON answer for load balancers and monitoring",
    "deliberation.card": "an HTML fragment the live room inserts into the session page",
    "moderation.notices": "the old address of the notifications page: a redirect",
    "notifications.open_notice": "marks a notice read and redirects to what it is about",
}
# The JSON API answers JSON, never HTML (its one page, the docs, has a Visit above).
NOT_PAGES.update({endpoint: "JSON API" for endpoint in (
    "api-docs.openapi_json", "api_meta.problem_type", "api_discussion.areas",
    "api_discussion.area", "api_discussion.topics", "api_discussion.topic",
    "api_discussion.threads", "api_discussion.thread", "api_discussion.posts",
    "api_discussion.post", "api_discussion.replies", "api_discussion.revisions",
    "api_discussion.reactions", "api_moderation.flags", "api_moderation.flag", "api_live.index", "api_live.session",
    "api_live.questions", "api_live.polls", "api_live.record", "api_rounds.round",
    "api_members.member", "api_search.find", "api_members.me", "api_members.notices",
    "api_members.subscriptions", "api_webhooks.endpoint_list",
    "api_deliberation.thread_proposals", "api_deliberation.session_proposals",
    "api_deliberation.proposal", "api_deliberation.position_list", "api_deliberation.outcome",
    "api_deliberation.ledger", "api_deliberation.commitment",
    "api_webhooks.endpoint", "api_webhooks.deliveries")})

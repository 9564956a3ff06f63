"""The `forum` command group: `flask --app wsgi forum ...`."""
from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from forum.exceptions import DomainError
from forum.models.accounts import Role, Scope, Sector
from forum.services import accounts, seeding

forum_cli = AppGroup("forum", help="Rådslag administration commands.")


def _read_password() -> tuple[str, bool]:
    """A password from standard input when piped, else a generated one (printed once)."""
    if not sys.stdin.isatty():
        piped = sys.stdin.readline().rstrip("\r\n")
        if piped:
            return piped, False
    return secrets.token_urlsafe(15), True


@forum_cli.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--sector", required=True, type=click.Choice([s.value for s in Sector]))
@click.option("--organisation", default="", help="Organisation.")
@click.option("--title", default="", help="Title at the organisation.")
@click.option("--role", default=Role.MEMBER.value, type=click.Choice([r.value for r in Role]))
@click.option("--verified", is_flag=True, help="Mark the stated role as verified.")
def create_user(email, name, sector, organisation, title, role, verified) -> None:
    """Create a member. The password is read from standard input, or generated and printed."""
    password, generated = _read_password()
    profile = accounts.Profile(name, sector, organisation, title)
    try:
        user = accounts.register(email, password, profile, role=Role(role), confirmed=True)
        if verified:
            accounts.mark_verified_by_operator(user)
    except DomainError as err:
        raise click.ClickException(err.message) from err
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")
    if generated:
        click.echo(f"Password: {password}")


@forum_cli.command("create-token")
@click.argument("email")
@click.option("--name", default="command line", help="What the token is for.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice([s.value for s in Scope]),
              help="read, write or moderate (repeat for several; default: read).")
def create_token(email, name, scopes) -> None:
    """Create a personal access token for EMAIL and print it once."""
    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No member with email {email}.")
    try:
        _token, secret = accounts.create_token(user, name, scopes or (Scope.READ.value,))
    except DomainError as err:
        raise click.ClickException(err.message) from err
    click.echo(secret)


@forum_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def set_role(email, role) -> None:
    """Grant or take a role (member, moderator, admin)."""
    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No member with email {email}.")
    accounts.set_role(None, user.id, Role(role))
    click.echo(f"{user.email} is now {role}.")


@forum_cli.command("set-moderator")
@click.argument("email")
@click.option("--area", "areas", multiple=True,
              help="Focus-area slug the moderator looks after (repeat; none: every area).")
@click.option("--remove", is_flag=True, help="Take the moderator role away (back to member).")
def set_moderator(email, areas, remove) -> None:
    """Make EMAIL a moderator, global or scoped to focus areas; logged in the moderation log."""
    from forum.services.discussion import curation  # noqa: PLC0415
    from forum.services.moderation import moderators  # noqa: PLC0415

    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No member with email {email}.")
    try:
        area_ids = [curation.get_area(slug).id for slug in areas]
        moderators.set_moderator(None, user.id, Role.MEMBER if remove else Role.MODERATOR,
                                 area_ids)
    except DomainError as err:
        raise click.ClickException(err.message) from err
    scope = ", ".join(areas) if areas else "every focus area"
    click.echo(f"{user.email} is now a member." if remove
               else f"{user.email} is now a moderator of {scope}.")


@forum_cli.command("seed")
@click.option("--demo", is_flag=True, help="Also add demo members, discussion and sessions.")
@click.option("--if-empty", is_flag=True, help="Do nothing unless the database is empty.")
def seed(demo: bool, if_empty: bool) -> None:
    """Create the three focus areas; safe to run again."""
    if if_empty and not seeding.is_empty():
        click.echo("The database already has content; nothing seeded.")
        return
    created = seeding.ensure_focus_areas()
    click.echo(f"Focus areas: {created} created.")
    if demo:
        from forum.services import demo as demo_data  # noqa: PLC0415

        click.echo(demo_data.add_demo_content())


@forum_cli.command("commitments-due")
def commitments_due() -> None:
    """Tell owners whose commitment review dates near or have passed (once each; the worker
    also does this every hour)."""
    from forum.services.deliberation import commitments  # noqa: PLC0415

    sent = commitments.send_review_notices()
    click.echo(f"Review notices: {sent['soon']} nearing, {sent['passed']} passed.")


@forum_cli.command("reindex")
@click.option("--here", is_flag=True, help="Rebuild in this process instead of on a worker.")
@click.option("--if-empty", is_flag=True, help="Do nothing unless the index is empty.")
@click.option("--wait", default=60, show_default=True, type=click.IntRange(0, 86400),
              help="Seconds to wait for a worker to report progress (0: queue and return).")
def reindex(here: bool, if_empty: bool, wait: int) -> None:
    """Rebuild the search index from the content, as a job, printing its progress."""
    import time  # noqa: PLC0415
    import uuid  # noqa: PLC0415

    from sqlalchemy import select  # noqa: PLC0415

    from forum import jobs  # noqa: PLC0415
    from forum.extensions import db  # noqa: PLC0415
    from forum.models.search import SearchEntry  # noqa: PLC0415
    from forum.services.search import jobs as search_jobs  # noqa: PLC0415

    if if_empty and db.session.scalar(select(SearchEntry.id).limit(1)) is not None:
        click.echo("The search index holds entries already; nothing to do.")
        return

    def show(kind: str, done: int, total: int) -> None:
        click.echo(f"{kind}: {done}/{total}")

    if here:
        counts = search_jobs.rebuild(show)
        click.echo("Index rebuilt: " + _counts(counts))
        return
    run_id = uuid.uuid4().hex
    search_jobs.rebuild_index.enqueue(run_id)
    click.echo(f"Rebuild queued (run {run_id[:8]}).")
    key, last, quiet_since = search_jobs.progress_key(run_id), None, time.monotonic()
    while wait and time.monotonic() - quiet_since < wait:
        state = jobs.huey.get(key, peek=True)
        if state and state != last:
            last, quiet_since = state, time.monotonic()
            if "finished" in state:
                jobs.huey.get(key)  # consumed
                click.echo("Index rebuilt: " + _counts(state["finished"]))
                return
            show(state["kind"], state["done"], state["total"])
        time.sleep(0.25)
    click.echo("No progress reported yet: the job stays queued and a worker "
               "(`flask --app wsgi forum worker`, started by `make run`) will run it. "
               "Use --here to rebuild in this process.")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())


@forum_cli.command("worker")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Jobs run at the same time.")
@click.option("--no-periodic", is_flag=True,
              help="Do not start periodic jobs (all workers but one, when there are several).")
@click.option("--stop-with", type=int, default=None, hidden=True,
              help="Stop when the process with this id (the parent) ends.")
def worker(threads: int, no_periodic: bool, stop_with: int | None) -> None:
    """Run background jobs and the periodic ones until stopped (SIGTERM: gracefully)."""
    from flask import current_app  # noqa: PLC0415

    from forum.jobs import worker as job_worker  # noqa: PLC0415

    job_worker.run(current_app._get_current_object(), threads=threads,
                   periodic=not no_periodic, stop_with=stop_with)


@forum_cli.command("send-test-mail")
@click.argument("address")
@click.option("--language", type=click.Choice(["sv", "en"]), default=None,
              help="Language of the message (default: the member's, else the site's).")
def send_test_mail(address: str, language: str | None) -> None:
    """Queue a test email to ADDRESS, to check the mail settings (a worker sends it)."""
    from forum.services import mail  # noqa: PLC0415

    member = accounts.find_by_email(address)
    if member is not None and language is None:
        mail.send_to_member(member, "test_message")
    else:
        mail.send_to_address(address, "test_message", language=language)
    click.echo(f"Queued a test email to {address}.")


@forum_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Write a consistent snapshot of the database to PATH (safe while the forum runs).
    Keep instance/secret_key with it unless FORUM_SECRET_KEY is set elsewhere."""
    from forum.services import backup as backups  # noqa: PLC0415

    try:
        click.echo(backups.backup(path))
    except DomainError as err:
        raise click.ClickException(err.message) from err


@forum_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore(path: Path, force: bool) -> None:
    """Bring the backup at PATH back into the configured (empty) database. Stop the servers
    first; run `flask db upgrade` afterwards if the backup is older than the code."""
    from forum.services import backup as backups  # noqa: PLC0415

    try:
        click.echo(backups.restore(path, force=force))
    except DomainError as err:
        raise click.ClickException(err.message) from err


@forum_cli.command("prune-ips")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Keep full addresses this many days (default FORUM_IP_RETENTION_DAYS).")
def prune_ips(days: int | None) -> None:
    """Shorten stored IP addresses older than the retention time to their networks; safe to
    run as often as you like (a daily timer, or the job queue)."""
    from forum.services import retention  # noqa: PLC0415

    shortened = retention.prune_ips(days)
    click.echo(f"IP addresses shortened to their network: {shortened}.")

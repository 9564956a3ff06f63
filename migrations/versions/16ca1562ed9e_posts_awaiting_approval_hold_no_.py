"""posts awaiting approval hold no position; users keep the address they registered from

A post awaiting approval (or rejected) used to take a position, so readers who could not see
it got 19 posts on that page. Now it holds none until it is published. Existing threads are
renumbered in their present order (a thread's opening post keeps position 1), and read marks
follow the new numbers.

Revision ID: 16ca1562ed9e
Revises: 93560622f3d9
Create Date: 2026-12-02 15:07:31.610325

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '16ca1562ed9e'
down_revision = '93560622f3d9'
branch_labels = None
depends_on = None

posts = sa.table("posts", sa.column("id"), sa.column("thread_id"), sa.column("position"),
                 sa.column("status"))
threads = sa.table("threads", sa.column("id"), sa.column("last_position"))
read_marks = sa.table("read_marks", sa.column("user_id"), sa.column("thread_id"),
                      sa.column("last_read_position"))


def upgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.alter_column('position',
               existing_type=sa.INTEGER(),
               nullable=True)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_ip', sa.String(length=64), nullable=True))

    connection = op.get_bind()
    waiting = sa.select(posts.c.thread_id).where(
        posts.c.status != "published", posts.c.position > 1).distinct()
    for thread_id in connection.scalars(waiting).all():
        _renumber(connection, thread_id)


def _renumber(connection, thread_id):
    rows = connection.execute(sa.select(posts.c.id, posts.c.position, posts.c.status)
                              .where(posts.c.thread_id == thread_id)
                              .order_by(posts.c.position)).all()
    kept = [r for r in rows if r.status == "published" or r.position == 1]
    new_number = {r.position: n for n, r in enumerate(kept, start=1)}
    for mark in connection.execute(sa.select(read_marks).where(
            read_marks.c.thread_id == thread_id)).all():
        seen = sum(1 for old in new_number if old <= mark.last_read_position)
        connection.execute(read_marks.update().where(
            read_marks.c.user_id == mark.user_id, read_marks.c.thread_id == thread_id)
            .values(last_read_position=seen))
    for row in rows:  # first out of the way, so (thread, position) stays unique
        connection.execute(posts.update().where(posts.c.id == row.id).values(
            position=-row.id if row in kept else None))
    for row in kept:
        connection.execute(posts.update().where(posts.c.id == row.id)
                           .values(position=new_number[row.position]))
    connection.execute(threads.update().where(threads.c.id == thread_id)
                       .values(last_position=len(kept)))


def downgrade():
    connection = op.get_bind()
    waiting = connection.execute(sa.select(posts.c.id, posts.c.thread_id)
                                 .where(posts.c.position.is_(None)).order_by(posts.c.id)).all()
    for post_id, thread_id in waiting:  # at the end of their threads, as before publication
        last = connection.scalar(sa.select(threads.c.last_position)
                                 .where(threads.c.id == thread_id)) + 1
        connection.execute(posts.update().where(posts.c.id == post_id).values(position=last))
        connection.execute(threads.update().where(threads.c.id == thread_id)
                           .values(last_position=last))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('registration_ip')

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.alter_column('position',
               existing_type=sa.INTEGER(),
               nullable=False)

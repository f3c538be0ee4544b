"""Create the gradebook without a second Python: nbgrader stamps a new database with its schema's head revision.

nbgrader finds that revision by running `alembic heads` in a subprocess, a fresh interpreter that imports alembic,
SQLAlchemy and nbgrader (about 2.5 s, half of a `release`). The same revision is read here, in this process, from
nbgrader's own migration scripts; if that ever fails, nbgrader's subprocess answers as before.
"""
import contextlib


def schema_head():
    """The head revision of nbgrader's gradebook schema, read in this process (e.g. 'e43177bfe90b')."""
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    return ScriptDirectory(ALEMBIC_DIR).get_current_head()


@contextlib.contextmanager
def _stamped_in_process():
    """While inside, a Gradebook that creates its database asks schema_head(), not the `alembic` executable."""
    import nbgrader.api

    subprocess_head = nbgrader.api.get_alembic_version

    def head():
        try:
            return schema_head()
        except Exception:  # a future nbgrader laid out differently: its own (slower) way still works
            return subprocess_head()

    nbgrader.api.get_alembic_version = head
    try:
        yield
    finally:
        nbgrader.api.get_alembic_version = subprocess_head


def ensure(db_url, course_id):
    """Create the gradebook at ``db_url`` (tables, schema revision, course) unless it exists; a no-op otherwise.

    Every later nbgrader Gradebook then finds the tables and opens the database as it is.
    """
    from nbgrader.api import Gradebook

    with _stamped_in_process(), Gradebook(db_url, course_id):
        pass

"""The migrations build exactly the schema the models describe, on the
engine under test, so a model change without its migration fails here."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.extensions import db
from hub.reads.partitions import known_to_models


def test_models_and_migrations_agree(ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_object": known_to_models})
        assert compare_metadata(context, db.metadata) == []

"""The store runs on the backend the test run asked for (guards scripts/test-postgres.sh)."""

from store.db import get_engine
from tests.conftest import PG_URL


def test_backend_in_use(data_dir):
    from onemap import settings

    dialect = get_engine(settings.database_url()).dialect.name
    assert dialect == ("postgresql" if PG_URL else "sqlite")

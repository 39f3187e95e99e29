"""deliberation.search's unit tests again on PostgreSQL (its full-text search: a 'simple'
tsvector over the segmented text, ts_headline for the snippets). The HTTP tests of
tests/http/deliberation/test_search.py run here through test_http_on_postgres.py."""

from tests.unit.deliberation.test_search import *  # noqa: F403  (the same tests, this directory's engine)

"""Property tests of the OpenAPI spec with schemathesis against a real `unspin serve`.

Valid and invalid requests are generated from the spec; every answer must match the
documented status codes and schemas, and no request may produce a server error.
A handful of examples per operation keeps this well under a minute.
"""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")  # the serve extra; `make test` installs it
pytest.importorskip("uvicorn")
schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from server_util import running_server  # noqa: E402

EXAMPLES = 10  # per operation and mode
OPERATIONS = [
    ("POST", "/v1/analyze"),
    ("POST", "/v1/analyze/batch"),
    ("POST", "/v1/trace"),
    ("GET", "/healthz"),
]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    from unspin.trace import Index

    db = tmp_path_factory.mktemp("trace") / "refs.db"
    with Index(db, mode="a") as idx:
        idx.add([("river", "The river runs past the old mill and into the valley. " * 6)])
    # Small limits so generated texts reach them; --db so /v1/trace is tested too.
    args = ("--max-text-chars", "2000", "--max-batch", "3", "--db", str(db), "--no-access-log")
    with running_server(*args) as srv:
        schema = schemathesis.openapi.from_url(srv.url + "/openapi.json")
        # Over a documented limit (maxLength, maxItems) the API answers 413, as designed.
        rejection = schema.config.checks.negative_data_rejection
        statuses = [*rejection.expected_statuses, "413"]
        schema.config.checks.negative_data_rejection = type(rejection)(expected_statuses=statuses)
        yield schema


def test_spec_lists_every_operation(api_schema):
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


# GET /healthz takes no parameters, so there is no invalid request to generate for it.
CASES = [
    (method, path, mode)
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if method == "POST" or mode == GenerationMode.POSITIVE
]


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_api_conforms_to_its_spec(api_schema, method, path, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(timeout=30)

    check()

"""The JSON API fuzzed from its own OpenAPI description (schemathesis): whatever a client
sends, valid or not, the answer is one the description promises, never a 500.

Bounded and repeatable: a fixed number of examples per operation and mode, derandomized, so
a run in CI is the run on a developer's machine. (schemathesis's pytest plugin cannot take
its schema from a fixture under pytest 9, so each operation's strategy is driven here.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

EXAMPLES = 40
QUERY_LANGUAGE = "GET /api/v1/search"
pytestmark = pytest.mark.slow  # ~25 s: 560 requests a backend


def operations(client: TestClient) -> dict[str, schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    found = [result.ok() for result in schema.get_all_operations()]
    return {f"{op.method.upper()} {op.path}": op for op in found}


def test_every_operation_is_described(reading_client: TestClient) -> None:
    assert set(operations(reading_client)) == {
        "GET /api/v1/reports",
        "GET /api/v1/reports/{report_id}",
        "GET /api/v1/reports/{report_id}/versions/{version}",
        "GET /api/v1/reports/{report_id}/diff",
        "GET /api/v1/coverage",
        "GET /api/v1/search",
        "GET /api/v1/export",
    }


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=str)
def test_the_api_answers_what_it_describes(
    reading_client: TestClient, mode: schemathesis.GenerationMode
) -> None:
    for name, operation in operations(reading_client).items():
        try:
            fuzz(operation, mode, language=name == QUERY_LANGUAGE)()
        except Exception as exc:
            exc.add_note(f"operation: {name} ({mode.value})")
            raise


def fuzz(
    operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode, language: bool
) -> Callable[[], None]:
    """The operation's fuzz run. A query in the search LANGUAGE can be well formed as a string
    and still unreadable (an unclosed quote, only -terms, a cursor of another search), which no
    JSON Schema can say: there a valid-looking request may be a 400 with a message, never a 500."""
    excluded = [positive_data_acceptance] if language else []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def answers(case: schemathesis.Case) -> None:
        response = case.call_and_validate(excluded_checks=excluded)
        if response.status_code == 400:
            assert response.json()["error"]["message"]

    return answers

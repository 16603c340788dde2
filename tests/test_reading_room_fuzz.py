"""The JSON API fuzzed from its own OpenAPI description (schemathesis): whatever a client
sends, valid or not, the answer is one the description promises, never a 500.

Bounded and repeatable: a fixed number of examples per operation and mode, derandomized, so
a run in CI is the run on a developer's machine. (schemathesis's pytest plugin cannot take
its schema from a fixture under pytest 9, so each operation's strategy is driven here.)"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

EXAMPLES = 40
pytestmark = pytest.mark.slow  # ~20 s: 480 requests a backend


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
        "GET /api/v1/export",
    }


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=str)
def test_the_api_answers_what_it_describes(
    reading_client: TestClient, mode: schemathesis.GenerationMode
) -> None:
    for name, operation in operations(reading_client).items():

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def answers(case: schemathesis.Case) -> None:
            case.call_and_validate()

        try:
            answers()
        except Exception as exc:
            exc.add_note(f"operation: {name} ({mode.value})")
            raise

"""Property-based tests of the whole API from its own OpenAPI document (schemathesis).

Every operation gets generated requests, valid and invalid, sent to the real uvicorn server;
no answer may be a server error, and every answer must match the documented statuses,
content types and schemas. (Operations are driven one by one with Hypothesis:
schemathesis's pytest plugin does not run under pytest 9.)
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.errors import FailureGroup, SchemathesisError
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import scaled

EXAMPLES = {GenerationMode.POSITIVE: 50, GenerationMode.NEGATIVE: 25}


def test_api_from_its_openapi(server: str) -> None:
    """No generated request, valid or invalid, is answered with a 5xx or off the document."""
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11
    for operation in operations:
        for mode, examples in EXAMPLES.items():

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=scaled(examples),
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                # A schema-valid case can still be clinically unreadable (an unknown unit, a
                # date after as_of): such 422s are right, so that one check is left out.
                case.call_and_validate(base_url=server, excluded_checks=[positive_data_acceptance])

            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing to make invalid (no inputs)
            except (AssertionError, FailureGroup, SchemathesisError) as exc:  # report them all
                failures.append(f"{operation.label} [{mode.value}]: {exc}"[:2000])
    assert failures == [], "\n\n".join(failures)

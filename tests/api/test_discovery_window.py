"""A window that moves: the prefetch look-back in discovery, and in the queries sent to a
FHIR server, is computed from today's date on every request, not when the service started."""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from alkphos.api import Settings, create_app
from tests.api.conftest import FHIR_TOKEN, FhirServer
from tests.api.fhir_cases import resources, shifted
from tests.api.test_cds_hooks import CASES, VIEW, hook_call


class Calendar:
    """A clock the test moves forward while the service runs."""

    def __init__(self, today: dt.date) -> None:
        self.today = today

    def __call__(self) -> dt.date:
        return self.today


def _windows(client: TestClient) -> set[str]:
    services = client.get("/cds-services").json()["services"]
    templates = [s["prefetch"]["observations"] for s in services]
    return {t.split("date=ge", 1)[1].split("&", 1)[0] for t in templates}


def test_discovery_window_moves_with_the_date(tmp_path: Path) -> None:
    """The same running service, a year and a leap day later: the window moved with it."""
    calendar = Calendar(dt.date(2025, 3, 1))
    app = create_app(Settings(db=tmp_path / "service.sqlite3"), clock=calendar)
    with TestClient(app, base_url="http://localhost") as client:
        assert _windows(client) == {"2022-03-01"}
        calendar.today = dt.date(2026, 7, 15)
        assert _windows(client) == {"2023-07-15"}
        calendar.today = dt.date(2028, 2, 29)  # three years before a leap day
        assert _windows(client) == {"2025-02-28"}


def test_fhir_server_queries_use_the_date_of_the_call(tmp_path: Path, fhir: FhirServer) -> None:
    """Fetching from fhirServer asks for the window of the day of the call."""
    calendar = Calendar(dt.date(2025, 3, 1))
    app = create_app(Settings(db=tmp_path / "service.sqlite3"), clock=calendar)
    latest = dt.date(2026, 6, 1)
    fhir.data["moving"] = resources(
        shifted(CASES["EX-01"]["case"], latest), "moving", medication="MedicationRequest"
    )
    body: dict[str, Any] = hook_call("patient-view", None, patientId="moving")
    body["fhirServer"] = fhir.url
    body["fhirAuthorization"] = {"access_token": FHIR_TOKEN, "token_type": "Bearer"}
    with TestClient(app, base_url="http://localhost") as client:
        for today, since in (
            (dt.date(2026, 6, 8), "2023-06-08"),
            (dt.date(2027, 1, 2), "2024-01-02"),
        ):
            calendar.today = today
            fhir.seen.clear()
            assert client.post(VIEW, json=body).status_code == 200
            (query, *_) = [url for url in fhir.seen if "/fhir/Observation" in url]
            assert f"date=ge{since}" in query


def test_the_service_reads_the_clock_on_each_request() -> None:
    """``alkphos serve`` builds the app with the default clock: the date function itself,
    not a date taken when the service started."""
    default = inspect.signature(create_app).parameters["clock"].default
    assert default == dt.date.today

"""A tiny FHIR server for the tests: read and search over in-memory resources.

It answers the searches of the alkphos prefetch templates (Patient read; Observation,
MedicationRequest and Condition by patient; Encounter by _id with its locations included),
demands the bearer token it was given, pages
Observation results to exercise ``next`` links, and records every request it served. A
patient's ``broken`` entry names kinds it answers with a server error.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

PAGE = 4


def fhir_server(
    token: str,
) -> tuple[FastAPI, dict[str, dict[str, list[dict[str, Any]]]], list[str]]:
    """The app, its data (patient id -> resources by kind) and the log of request URLs."""
    app = FastAPI()
    data: dict[str, dict[str, list[dict[str, Any]]]] = {}
    seen: list[str] = []

    def allowed(request: Request) -> bool:
        seen.append(str(request.url))
        return request.headers.get("authorization") == f"Bearer {token}"

    def page(request: Request, items: list[dict[str, Any]]) -> dict[str, Any]:
        offset = int(request.query_params.get("_offset", "0"))
        bundle: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(items),
            "entry": [{"resource": r} for r in items[offset : offset + PAGE]],
        }
        if offset + PAGE < len(items):
            following = request.url.include_query_params(_offset=offset + PAGE)
            bundle["link"] = [{"relation": "next", "url": str(following)}]
        return bundle

    @app.get("/fhir/Patient/{patient_id}")
    async def patient(patient_id: str, request: Request) -> JSONResponse:
        if not allowed(request):
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=401)
        found = data.get(patient_id, {}).get("patient")
        if not found:
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=404)
        return JSONResponse(found[0])

    def encounter_search(request: Request) -> dict[str, Any]:
        wanted = request.query_params.get("_id", "")
        entries: list[dict[str, Any]] = []
        for parts in data.values():
            for found in parts.get("encounters", []):
                if found.get("id") != wanted:
                    continue
                entries.append({"resource": found, "search": {"mode": "match"}})
                if request.query_params.get("_include") == "Encounter:location":
                    places = {p["location"]["reference"] for p in found.get("location", [])}
                    entries += [
                        {"resource": place, "search": {"mode": "include"}}
                        for place in parts.get("locations", [])
                        if f"Location/{place['id']}" in places
                    ]
        return {"resourceType": "Bundle", "type": "searchset", "entry": entries}

    @app.get("/fhir/{kind}")
    async def search(kind: str, request: Request) -> JSONResponse:
        if not allowed(request):
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=401)
        if kind == "Encounter":
            return JSONResponse(encounter_search(request))
        patient_id = request.query_params.get("patient", "")
        key = {
            "Observation": "observations",
            "MedicationRequest": "medications",
            "Condition": "conditions",
        }.get(kind)
        if key is None:
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=400)
        if {"kind": kind} in data.get(patient_id, {}).get("broken", []):
            return JSONResponse({"resourceType": "OperationOutcome"}, status_code=500)
        items = list(data.get(patient_id, {}).get(key, []))
        since = request.query_params.get("date", "")
        if kind == "Observation" and since.startswith("ge"):
            items = [o for o in items if o.get("effectiveDateTime", "9999") >= since[2:]]
        return JSONResponse(page(request, items))

    return app, data, seen

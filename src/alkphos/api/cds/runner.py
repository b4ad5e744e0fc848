"""Run one CDS service call: check the request, get the data, interpret, make the cards."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import httpx  # noqa: TID253 - api only

from alkphos.adapters.fhir import FhirCase, interpret_fhir, read_prefetch
from alkphos.api.cds.cards import CardMaker, patient_view_cards
from alkphos.api.cds.definitions import Services, ServiceSpec
from alkphos.api.cds.fetch import TIMEOUT, FetchLimits, Gathered, gather
from alkphos.api.cds.guard import antiresorptive_orders, guard_cards
from alkphos.api.cds.models import CdsRequest, CdsResponse
from alkphos.api.store import Link, Store
from alkphos.errors import InputError
from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import Interpretation

__all__ = ["CdsRunner", "Prepared"]

_CACHE_SIZE = 1024


@dataclass(frozen=True, slots=True)
class Prepared:
    """An interpretation of a patient's data and the id of its link."""

    read: FhirCase
    result: Interpretation
    link: Link


class CdsRunner:
    """Everything a CDS call needs, kept for the life of the service."""

    def __init__(
        self,
        kb: Knowledge,
        services: Services,
        store: Store,
        clock: Callable[[], date],
        limits: FetchLimits | None = None,
    ) -> None:
        self.kb = kb
        self.limits = limits or FetchLimits()
        self.services = services
        self.store = store
        self.clock = clock
        self.clients: dict[int, httpx.AsyncClient] = {}
        self._cache: OrderedDict[str, Prepared | None] = OrderedDict()

    async def call(self, spec: ServiceSpec, request: CdsRequest, base_url: str) -> CdsResponse:
        """The cards of one call.

        Raises:
            InputError: the request is malformed (422).
            PreconditionFailed: the data can be had neither from prefetch nor the FHIR
                server (412).
        """
        if request.hook != spec.hook:
            raise InputError(
                "hook", f"'{request.hook}' is not the hook of {spec.id}", f"'{spec.hook}'"
            )
        patient_id = request.context.patientId
        orders = []
        if spec.kind == "antiresorptive-guard":
            context = request.context.model_dump(exclude_none=True)
            orders = antiresorptive_orders(context, spec.hook, self.services, self.kb)
            if not orders:
                return CdsResponse(cards=[])
        today = self.clock()
        gathered = await self._data(spec, request, today)
        prepared = self.prepare(
            gathered.data, today, gathered.notes, encounter_id=request.context.encounterId
        )
        if prepared is None:
            return CdsResponse(cards=[])
        maker = CardMaker(
            services=self.services,
            kb=self.kb,
            result=prepared.result,
            patient_id=patient_id,
            link=f"{base_url.rstrip('/')}/interpretations/{prepared.link.id}",
            hook_instance=request.hookInstance,
        )
        if spec.kind == "patient-view":
            cards = patient_view_cards(maker)
        else:
            cards = guard_cards(maker, orders)
        if cards:  # the link is kept only when a card shows it, and before it is shown
            await self.store.kept(prepared.link)
            self.store.record_cards(spec.id, [(card.uuid or "", kind) for kind, card in cards])
        return CdsResponse(cards=[card for _, card in cards])

    @asynccontextmanager
    async def http_client(self) -> AsyncIterator[None]:
        """Keep one pooled HTTP client for FHIR servers while the event loop serves."""
        loop = id(asyncio.get_running_loop())
        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
            self.clients[loop] = client
            try:
                yield
            finally:
                self.clients.pop(loop, None)

    async def _data(self, spec: ServiceSpec, request: CdsRequest, today: date) -> Gathered:
        client = self.clients.get(id(asyncio.get_running_loop()))
        return await gather(spec, self.services, request, client, self.kb, today, self.limits)

    def prepare(
        self,
        data: dict[str, Any],
        today: date,
        notes: tuple[str, ...] = (),
        encounter_id: str | None = None,
    ) -> Prepared | None:
        """Interpret prefetch-shaped data, with ``notes`` on what could not be fetched and
        the hook's encounter (cached by content: the engine is deterministic)."""
        # Key order as sent: the same client sends the same data the same way.
        text = json.dumps([data, notes, encounter_id], separators=(",", ":"), default=str)
        key = hashlib.sha256(f"{today.isoformat()}|{text}".encode()).hexdigest()
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        read = read_prefetch(data, self.kb, encounter_id)
        read = replace(read, notes=(*notes, *read.notes))
        prepared = None
        if read.case is not None:
            as_of = max(today, read.latest or today)
            result = interpret_fhir(read, as_of=as_of, kb=self.kb)
            link = self.store.link({"case": read.case, "notes": list(read.notes)}, result.as_of)
            prepared = Prepared(read=read, result=result, link=link)
        self._cache[key] = prepared
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return prepared

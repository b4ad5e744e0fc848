"""The CDS services as data: ``services.yaml`` loaded, checked against the knowledge base."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from importlib import resources
from string import Template
from typing import Literal
from urllib.parse import quote

import yaml
from pydantic import BaseModel, ConfigDict, Field

from alkphos.adapters.fhir.systems import ALKPHOS_OVERRIDE
from alkphos.api.cds.models import Coding, Discovery, ServiceDefinition
from alkphos.knowledge.loader import Knowledge

__all__ = ["CardSpec", "PrefetchSpec", "ServiceSpec", "Services", "load_services", "render"]

_TOKEN = re.compile(r"\{\{\s*context\.(\w+)\s*\}\}")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PrefetchSpec(_Strict):
    """One prefetch template and whether the service can run without its data."""

    template: str
    required: bool


class ServiceSpec(_Strict):
    """One CDS service."""

    id: str
    hook: str
    kind: Literal["patient-view", "antiresorptive-guard"]
    title: str
    description: str
    prefetch: list[str]


class CardSpec(_Strict):
    """How one card type is named, how urgent it is and how its summary reads."""

    title: str
    indicator: Literal["info", "warning", "critical"] | None = None
    summary: str | None = None
    why: str | None = None


class _Override(_Strict):
    code: str
    display: str


class Services(_Strict):
    """Everything in ``services.yaml``."""

    lookback_years: int = Field(ge=1)
    observations: list[str]
    prefetch: dict[str, PrefetchSpec]
    services: list[ServiceSpec]
    guard_classes: list[str]
    guard_flags: list[str]
    guard_tests: list[str]
    source_label: str
    link_label: str
    max_suggestions: int
    not_orders: list[str]
    order_analyte: dict[str, str]
    cards: dict[str, CardSpec]
    override_reasons: list[_Override]

    def service(self, service_id: str) -> ServiceSpec | None:
        """The service with this id, if any."""
        return next((s for s in self.services if s.id == service_id), None)

    def since(self, today: date) -> date:
        """The first day of the look-back window."""
        try:
            return today.replace(year=today.year - self.lookback_years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - self.lookback_years, day=28)

    def template(self, key: str, kb: Knowledge, today: date) -> str:
        """A prefetch template with the alkphos placeholders filled in."""
        codes = [code for analyte in self.observations for code in kb.analytes[analyte].loinc]
        return Template(self.prefetch[key].template).substitute(
            loinc=",".join(codes), since=self.since(today).isoformat()
        )

    def discovery(self, kb: Knowledge, today: date) -> Discovery:
        """The discovery response."""
        return Discovery(
            services=[
                ServiceDefinition(
                    hook=s.hook,
                    title=s.title,
                    description=s.description,
                    id=s.id,
                    prefetch={key: self.template(key, kb, today) for key in s.prefetch},
                )
                for s in self.services
            ]
        )

    def override_codings(self) -> list[Coding]:
        """The override reasons offered on guard cards."""
        return [
            Coding(system=ALKPHOS_OVERRIDE, code=r.code, display=r.display)
            for r in self.override_reasons
        ]


def render(template: str, context: dict[str, object]) -> str | None:
    """A prefetch template with its context tokens replaced, or None if one is missing."""
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        found = context.get(match.group(1))
        if not isinstance(found, str | int) or isinstance(found, bool):
            missing = True
            return ""
        return quote(str(found), safe="")

    rendered = _TOKEN.sub(value, template)
    return None if missing else rendered


@cache
def _raw() -> Services:
    path = resources.files("alkphos.api.cds") / "services.yaml"
    return Services.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_services(kb: Knowledge) -> Services:
    """The service definitions, checked against ``kb`` (an unknown id is a ValueError)."""
    services = _raw()
    unknown = [a for a in services.observations if a not in kb.analytes]
    unknown += [c for c in services.guard_classes if c not in kb.drug_classes]
    unknown += [f for f in services.guard_flags if f not in kb.flags]
    unknown += [t for t in (*services.guard_tests, *services.not_orders) if t not in kb.tests]
    unknown += [t for t in services.order_analyte if t not in kb.tests]
    unknown += [a for a in services.order_analyte.values() if a not in kb.analytes]
    for spec in services.services:
        unknown += [key for key in spec.prefetch if key not in services.prefetch]
    if unknown:
        msg = f"services.yaml: unknown ids {sorted(set(unknown))}"
        raise ValueError(msg)
    return services

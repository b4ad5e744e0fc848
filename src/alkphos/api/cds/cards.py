"""Interpretation -> CDS Hooks cards: one card per concern, with tests as suggestions.

Concerns of ``alkphos-patient-view``: a persistently low ALP (or, failing that, a low ALP no
cause explains), every warning or critical flag, and a marked rise. Card words come from
``services.yaml`` and the knowledge base; numbers from the interpretation.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from alkphos.adapters.fhir.systems import ALKPHOS_CARD, ALKPHOS_TEST, LOINC
from alkphos.api.cds.definitions import CardSpec, Services
from alkphos.api.cds.models import Action, Card, Coding, Link, Source, Suggestion
from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import Flag, Interpretation
from alkphos.render.numbers import canonical
from alkphos.rules.support import supported

__all__ = [
    "CardMaker",
    "Concern",
    "card_values",
    "concerns",
    "fit",
    "patient_view_cards",
    "summary_text",
]

_NAMESPACE = uuid.UUID("0f9d7b43-1c8e-4a55-9e0b-7d3f1b9a2c64")
_SUMMARY_MAX = 139
_SERIOUS = ("warning", "critical")
_LOW_CONCERNS = ("persistently_low_alp", "unexplained_low_alp")


def fit(text: str, limit: int = _SUMMARY_MAX) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


@dataclass(frozen=True)
class CardMaker:
    """Builds the cards of one hook call."""

    services: Services
    kb: Knowledge
    result: Interpretation
    patient_id: str
    link: str
    hook_instance: str

    def card(
        self,
        kind: str,
        summary: str,
        indicator: str,
        why: str,
        tests: Sequence[str],
        extra: Sequence[Suggestion] = (),
        override: bool = False,
    ) -> Card:
        """One card of type ``kind``."""
        card_uuid = str(uuid.uuid5(_NAMESPACE, f"{self.hook_instance}:{kind}"))
        suggestions = [*extra, *self._orders(card_uuid, tests)]
        spec = self.services.cards.get(kind)
        title = spec.title if spec else kind.replace("_", " ").capitalize()
        return Card.model_validate(
            {
                "uuid": card_uuid,
                "summary": fit(summary),
                "detail": self.detail(why, tests),
                "indicator": indicator,
                "source": Source(
                    label=self.services.source_label,
                    topic=Coding(system=ALKPHOS_CARD, code=kind, display=title),
                ),
                "suggestions": suggestions or None,
                "selectionBehavior": "any" if suggestions else None,
                "overrideReasons": self.services.override_codings() if override else None,
                "links": [Link(label=self.services.link_label, url=self.link)],
            }
        )

    def detail(self, why: str, tests: Sequence[str]) -> str:
        """Markdown: the ALP, why the card, the leading causes, the next tests."""
        result = self.result
        lines: list[str] = []
        alp = result.alp
        if alp is not None:
            interval = alp.reference_interval
            limits = f"{_num(interval.low, self.kb)}–{_num(interval.high, self.kb)} U/L"
            when = f" on {alp.date}" if alp.date else ""
            lines.append(
                f"**ALP {_num(alp.value, self.kb)} U/L{when}: {alp.status}** "
                f"(reference {limits}, {interval.source})."
            )
        lines += ["", f"**Why this card:** {why}"]
        backed = [cause for cause in result.differential if cause.supported]
        if backed:
            lines += ["", "**Causes the results support**"]
            for rank, cause in enumerate(backed[:3], start=1):
                reasons = " ".join(cause.evidence_for[:2])
                lines.append(f"{rank}. **{cause.name}**: {reasons}")
        elif result.differential:
            lines += ["", "**No cause stands out:** nothing in these results supports one."]
        recommended = {t.id: t for t in result.tests}
        shown = [recommended[t] for t in tests if t in recommended] or result.tests[:3]
        if shown:
            lines += ["", "**Next tests**"]
            lines += [f"- **{t.name}**: {_reason(t.reason)}" for t in shown[:4]]
        lines += [
            "",
            f"_alkphos {result.alkphos_version}, knowledge {result.knowledge_version}, "
            f"as of {result.as_of}. Decision support, not a diagnosis._",
        ]
        return "\n".join(lines)

    def _orders(self, card_uuid: str, tests: Sequence[str]) -> list[Suggestion]:
        priority = {t.id: t for t in self.result.tests}
        orderable = [t for t in tests if t in priority and t not in self.services.not_orders][
            : self.services.max_suggestions
        ]
        best = min((priority[t].priority for t in orderable), default=None)
        return [
            Suggestion(
                label=f"Order {self.kb.tests[test].name}",
                uuid=str(uuid.uuid5(_NAMESPACE, f"{card_uuid}:{test}")),
                isRecommended=priority[test].priority == best,
                actions=[
                    Action(
                        type="create",
                        description=f"Order {self.kb.tests[test].name}: "
                        f"{_reason(priority[test].reason)}",
                        resource=self.service_request(test, _reason(priority[test].reason)),
                    )
                ],
            )
            for test in orderable
        ]

    def service_request(self, test_id: str, reason: str) -> dict[str, Any]:
        """A draft ServiceRequest ordering one test."""
        test = self.kb.tests[test_id]
        analytes = list(test.analytes)
        if test_id in self.services.order_analyte:
            analytes.insert(0, self.services.order_analyte[test_id])
        coding = [
            {"system": LOINC, "code": code}
            for analyte in analytes[:1]
            for code in self.kb.analytes[analyte].loinc[:1]
        ]
        coding.append({"system": ALKPHOS_TEST, "code": test_id, "display": test.name})
        return {
            "resourceType": "ServiceRequest",
            "status": "draft",
            "intent": "proposal",
            "code": {"coding": coding, "text": test.name},
            "subject": {"reference": f"Patient/{self.patient_id}"},
            "reasonCode": [{"text": reason}],
        }


@dataclass(frozen=True, slots=True)
class Concern:
    """One thing worth a clinician's attention, ready to become a card."""

    kind: str
    indicator: str
    summary: str
    why: str
    tests: list[str]


def concerns(result: Interpretation, kb: Knowledge, services: Services) -> list[Concern]:
    """What needs attention: a persistently low (else unexplained low) ALP, each warning or
    critical flag, a marked rise. Empty when nothing does."""
    alp = result.alp
    if alp is None:
        return []
    flags = {flag.id: flag for flag in result.flags}
    values = card_values(result)
    found: list[Concern] = []
    low = next((kind for kind in _LOW_CONCERNS if kind in flags), None)
    if low is None and alp.status == "low" and _unexplained(result, kb):
        low = "unexplained_low_alp"
    if low is not None:
        flag, spec = flags.get(low), services.cards[low]
        tests = [*(kb.flags[low].tests if flag else []), *_ids(result)]
        found.append(
            Concern(
                kind=low,
                indicator=spec.indicator or (flag.severity if flag else "info"),
                summary=summary_text(spec, values, flag),
                why=flag.message if flag else (spec.why or ""),
                tests=_ordered(result, tests),
            )
        )
    for flag in result.flags:
        if flag.severity not in _SERIOUS or flag.id in _LOW_CONCERNS:
            continue
        spec = services.cards.get(flag.id, CardSpec(title=flag.id.replace("_", " ")))
        found.append(
            Concern(
                kind=flag.id,
                indicator=spec.indicator or flag.severity,
                summary=summary_text(spec, values, flag),
                why=flag.message,
                tests=_ordered(result, kb.flags[flag.id].tests if flag.id in kb.flags else []),
            )
        )
    series = result.alp_series
    if alp.status == "high" and series is not None and series.trend == "rising":
        spec = services.cards["marked_rise"]
        found.append(
            Concern(
                kind="marked_rise",
                indicator=spec.indicator or "warning",
                summary=summary_text(spec, values, None),
                why=spec.why or "",
                tests=_ordered(result, _ids(result)),
            )
        )
    return found


def patient_view_cards(maker: CardMaker) -> list[tuple[str, Card]]:
    """The patient-view cards as (card type, card): one per concern."""
    return [
        (c.kind, maker.card(c.kind, c.summary, c.indicator, c.why, c.tests))
        for c in concerns(maker.result, maker.kb, maker.services)
    ]


def _unexplained(result: Interpretation, kb: Knowledge) -> bool:
    """A low ALP is unexplained when the evidence supports no secondary cause as its lead."""
    lead = result.differential[0] if result.differential else None
    return lead is None or lead.id == "hypophosphatasia" or not supported(lead, kb)


def _ids(result: Interpretation) -> list[str]:
    return [test.id for test in result.tests]


def _ordered(result: Interpretation, tests: Sequence[str]) -> list[str]:
    """Tests the interpretation recommends, in the given order, without repeats."""
    recommended = set(_ids(result))
    seen: list[str] = []
    for test in tests:
        if test in recommended and test not in seen:
            seen.append(test)
    return seen


def _reason(text: str) -> str:
    """A test's reason without the trailing '(for: ...)' list of causes."""
    return text.split(" (for: ")[0]


def _num(value: float | None, kb: Knowledge | None = None) -> str:
    """An ALP value or limit (U/L) at the method's reporting precision."""
    return "?" if value is None else canonical(value, "alp", kb)


def card_values(result: Interpretation) -> dict[str, str]:
    """The numbers card summaries may name: {value}, {low}, {high}, {fold}, {n_low}, ..."""
    alp = result.alp
    series = result.alp_series
    if alp is None:
        return {}
    interval = alp.reference_interval
    return {
        "value": _num(alp.value),
        "low": _num(interval.low),
        "high": _num(interval.high),
        "date": alp.date or "",
        "fold": f"{series.fold_change:g}" if series and series.fold_change else "?",
        "n_low": str(series.n_low) if series else "?",
        "multiple": f"{alp.multiple_of_uln:g}",
    }


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def summary_text(spec: CardSpec, values: dict[str, str], flag: Flag | None) -> str:
    """A card summary: the card type's template filled in, or the flag's first sentence."""
    if spec.summary:
        return spec.summary.format_map(_Values(values))
    message = flag.message if flag else spec.title
    return message.split(". ")[0].rstrip(".")

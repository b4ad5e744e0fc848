"""Unit arithmetic with pint, used once when the knowledge base is built.

Every accepted spelling of a unit becomes one multiplication factor to the analyte's
canonical unit; the factors are computed here with pint (mass <-> amount of substance
through the analyte's molar mass) and cached with the knowledge
base, so interpreting a case never imports pint.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

__all__ = [
    "conversion_factor",
    "normalise_spelling",
    "pint_expression",
    "plain_unit",
    "readable",
]

_ANNOTATION = re.compile(r"\{[^}]*\}")


def normalise_spelling(unit: str) -> str:
    """The key a unit spelling is matched by: no spaces, micro as ``u``, lower case."""
    return unit.strip().replace("µ", "u").replace("μ", "u").replace(" ", "").lower()


def pint_expression(unit: str) -> str:
    """Turn a UCUM-style spelling into something pint parses.

    Annotations such as ``{creat}`` carry no dimension and are dropped; ``[IU]`` is IU.
    """
    text = unit.strip().replace("µ", "u").replace("μ", "u")
    text = _ANNOTATION.sub("", text).replace("[IU]", "IU").replace("[iU]", "IU")
    text = text.rstrip("/").strip()
    return text or "dimensionless"


@cache
def _registry() -> Any:
    import pint

    registry: Any = pint.UnitRegistry()
    # Hormone "international units" are arbitrary units of their own dimension; enzyme
    # IU/L is spelled U/L in the knowledge base.
    registry.define("international_unit = [international_unit] = IU")
    return registry


def conversion_factor(source: str, target: str, molar_mass: float | None = None) -> float:
    """How many ``target`` units one ``source`` unit is (both pint expressions).

    Raises:
        ValueError: the units are not convertible (different dimensions and no molar mass
            bridges them), or pint cannot parse one of them.
    """
    import pint

    registry = _registry()
    try:
        quantity = registry(source)
        reference = registry(target)
        if not isinstance(quantity, registry.Quantity):
            quantity = registry.Quantity(quantity, "dimensionless")
        if not isinstance(reference, registry.Quantity):
            reference = registry.Quantity(reference, "dimensionless")
        if molar_mass is not None:
            # mass -> amount divides by the molar mass; amount -> mass multiplies by it.
            per_mole = registry.Quantity(molar_mass, "g/mol")
            for candidate in (quantity, quantity / per_mole, quantity * per_mole):
                if candidate.dimensionality == reference.dimensionality:
                    quantity = candidate
                    break
        if quantity.dimensionality != reference.dimensionality:
            msg = f"'{source}' and '{target}' measure different things"
            raise ValueError(msg)
        return float((quantity / reference).to("dimensionless").magnitude)
    except (pint.PintError, AttributeError, TypeError) as exc:
        msg = f"cannot convert '{source}' to '{target}': {exc}"
        raise ValueError(msg) from exc


# Display: values and units as people read them (the JSON keeps full precision).
_SIGNIFICANT = 3
# UCUM annotations people would not write: {INR} and {ratio} are unitless, the others words.
_BRACES = {
    "{INR}": "",
    "{ratio}": "",
    "{creat}": " creatinine",
    "{1.73_m2}": "1.73 m²",
}
_ANY_BRACE = re.compile(r"\{([^}]*)\}")


def readable(value: float, significant: int = _SIGNIFICANT) -> str:
    """A value to ``significant`` figures, without exponent or trailing zeros (whole numbers
    keep every digit: 1234, not 1230)."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(significant - 1 - magnitude, 0)
    text = f"{round(value, decimals):.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def plain_unit(unit: str) -> str:
    """A unit with UCUM's curly-brace annotations written out or dropped."""
    for brace, words in _BRACES.items():
        unit = unit.replace(brace, words)
    return _ANY_BRACE.sub(lambda match: match.group(1).replace("_", " "), unit).strip()

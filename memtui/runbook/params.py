"""Parameters of runbook actions: the runbook's values as defaults, validated as the operator types.

Every parameter is text in, typed value out: the confirmation modal holds what the operator
typed, ``Param.validate`` turns it into an ``int``, ``bool``, ``str``, ``Quantity`` or
``Duration`` or raises ``ParamError`` with a message that fits under the field.  Nothing reaches
the cluster that did not pass through here, and the catalogue's own defaults pass through here at
load time, so a typo in a default is a load error rather than a failed call during an incident.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from memtui.runbook.errors import FieldError, ParamError
from memtui.runbook.fields import suggest
from memtui.state.units import QuantityError, parse_bytes

PARAM_TYPES = ("int", "quantity", "bool", "enum", "duration", "regex", "string")
QUANTITY_FORMATS = ("kubernetes", "redis")

NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
"""Parameter names: what ``{placeholder}`` accepts, so every name can be referenced."""

_INT_RE = re.compile(r"[+-]?[0-9]+")
_DURATION_RE = re.compile(r"(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?")
_DURATION_UNITS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
_BARE_SAFE_RE = re.compile(r"[A-Za-z0-9_.:+][A-Za-z0-9_.:+-]*|-?[0-9][A-Za-z0-9_.]*")
"""Text that needs no quoting in a shell word, a PromQL expression or a JSON string."""

_REDIS_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3}
_BINARY_TO_REDIS = {"Ki": ("kb", 1), "Mi": ("mb", 1), "Gi": ("gb", 1), "Ti": ("gb", 1024)}


@dataclass(frozen=True)
class Quantity:
    """A memory size: its bytes, and the text to send (canonical for where it goes).

    ``text`` is what the API call and the equivalent command carry: a Kubernetes quantity for
    limits (``16Gi``; the runbook-style ``16GB`` becomes ``16G``, which the API accepts), or a
    Redis memory size for ``maxmemory`` (``8gb``; a Kubernetes ``8Gi`` becomes ``8gb``).
    """

    bytes: int
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Duration:
    """A Prometheus duration (``1h``, ``90m``, ``1h30m``) and its length in seconds."""

    seconds: float
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Param:
    """One editable parameter of an action.

    ``default`` is the runbook's value written as the operator would type it.  Type-specific
    limits: ``min``/``max`` (int: numbers; quantity: quantities such as ``"1Gi"``; duration:
    durations such as ``"5m"``), ``at_most`` (int: another parameter's name), ``choices`` (enum), ``max_length``/``pattern`` (string; the
    pattern must match the whole value), ``max_length`` (regex), ``format`` (quantity:
    ``kubernetes`` or ``redis``, deciding which units are read and how the value is sent).
    """

    name: str
    type: str
    default: str
    label: str
    help: str = ""
    min: int | str | None = None
    max: int | str | None = None
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    pattern: str | None = None
    format: str = "kubernetes"
    at_most: str | None = None
    """int only: the name of another int parameter this one may not exceed (``batch_size`` ≤
    ``max_batch_size``), checked by ``Action.validate``."""

    @property
    def is_bare_safe(self) -> bool:
        """Can every valid value stand unquoted (a whole argv word, a PromQL number, JSON)?

        Types whose values are digits, units and plain words can; free text (``string``,
        ``regex``) cannot, so templates must put those inside quotes, and argv/Redis commands
        refuse them outright.
        """
        if self.type in ("int", "bool", "quantity", "duration"):
            return True
        if self.type == "enum":
            return all(_BARE_SAFE_RE.fullmatch(choice) and not choice.startswith("-") for choice in self.choices)
        return False

    def validate(self, text: str) -> Any:
        """The typed value of ``text``, or ``ParamError`` with a message for the modal."""
        if not isinstance(text, str):
            raise ParamError(self.name, f"{self.name} must be given as text, not {type(text).__name__}")
        raw = text.strip()
        if not raw:
            raise ParamError(self.name, f"{self.name} must not be empty (default: {self.default})")
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
            raise ParamError(self.name, f"{self.name} must not contain control characters (newlines, tabs)")
        return getattr(self, f"_validate_{self.type}")(raw)

    def to_text(self, value: Any) -> str:
        """The text a validated value takes in a template, an argv word or a ConfigMap value."""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def coerce(self, value: Any) -> Any:
        """Validate a value that may already be typed (from ``Action.validate``) or still text."""
        return self.validate(value if isinstance(value, str) else self.to_text(value))

    # -- one validator per type -------------------------------------------------------------

    def _validate_int(self, raw: str) -> int:
        if not _INT_RE.fullmatch(raw):
            raise ParamError(self.name, f"{self.name} {raw!r} is not a whole number")
        value = int(raw)
        self._check_range(value, value, str(self.min), str(self.max), int(self.min) if self.min is not None else None,
                          int(self.max) if self.max is not None else None)
        return value

    def _validate_bool(self, raw: str) -> bool:
        lowered = raw.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ParamError(self.name, f"{self.name} {raw!r} is not true or false")

    def _validate_enum(self, raw: str) -> str:
        if raw not in self.choices:
            raise ParamError(self.name, f"{self.name} {raw!r} is not one of {', '.join(self.choices)}")
        return raw

    def _validate_quantity(self, raw: str) -> Quantity:
        quantity = parse_quantity_text(raw, self.format, what=self.name, param=self.name)
        low = parse_quantity_text(str(self.min), self.format).bytes if self.min is not None else None
        high = parse_quantity_text(str(self.max), self.format).bytes if self.max is not None else None
        self._check_range(quantity.bytes, raw, str(self.min), str(self.max), low, high)
        return quantity

    def _validate_duration(self, raw: str) -> Duration:
        duration = parse_duration(raw, what=self.name, param=self.name)
        low = parse_duration(str(self.min)).seconds if self.min is not None else None
        high = parse_duration(str(self.max)).seconds if self.max is not None else None
        self._check_range(duration.seconds, raw, str(self.min), str(self.max), low, high)
        return duration

    def _validate_regex(self, raw: str) -> str:
        self._check_length(raw)
        try:
            re.compile(raw)
        except re.error as exc:
            raise ParamError(self.name, f"{self.name} {raw!r} is not a valid regular expression: {exc}") from None
        return raw

    def _validate_string(self, raw: str) -> str:
        self._check_length(raw)
        if self.pattern is not None and not re.fullmatch(self.pattern, raw):
            raise ParamError(self.name, f"{self.name} {raw!r} does not match the pattern {self.pattern}")
        return raw

    def _check_length(self, raw: str) -> None:
        if self.max_length is not None and len(raw) > self.max_length:
            raise ParamError(self.name, f"{self.name} is {len(raw)} characters long; at most {self.max_length} allowed")

    def _check_range(self, value: float, shown: object, min_text: str, max_text: str,
                     low: float | None, high: float | None) -> None:
        if low is not None and value < low:
            raise ParamError(self.name, f"{self.name} must be at least {min_text} (got {shown})")
        if high is not None and value > high:
            raise ParamError(self.name, f"{self.name} must be at most {max_text} (got {shown})")


def parse_quantity_text(raw: str, fmt: str, *, what: str = "quantity", param: str = "") -> Quantity:
    """Read a memory size for Kubernetes or for Redis; the two disagree about ``gb``.

    Kubernetes (via ``memtui.state.units.parse_bytes``): ``16Gi`` is 16 GiB, ``16G`` and the
    runbook-style ``16GB`` are 16×10⁹ bytes; the text sent drops the ``B`` (``16G``), since the
    API refuses ``GB``.  Redis (``maxmemory``): units are Redis's own, case-insensitive, where
    ``gb`` is 1024³ and ``g`` is 1000³, so the runbook's ``8gb`` is 8 GiB; the Kubernetes binary
    units ``Ki``/``Mi``/``Gi``/``Ti`` are accepted too and sent as ``kb``/``mb``/``gb``, since
    Redis does not know them.  Only whole numbers: Redis refuses fractions.
    """
    raw = raw.strip()
    if fmt == "redis":
        match = re.fullmatch(r"([0-9]+)([A-Za-z]*)", raw)
        unit = match.group(2) if match else ""
        if match and unit in _BINARY_TO_REDIS:
            redis_unit, factor = _BINARY_TO_REDIS[unit]
            number = int(match.group(1)) * factor
            return Quantity(number * _REDIS_UNITS[redis_unit], f"{number}{redis_unit}")
        if match and unit.lower() in _REDIS_UNITS:
            number = int(match.group(1))
            return Quantity(number * _REDIS_UNITS[unit.lower()], f"{number}{unit.lower()}")
        if raw.startswith("-"):
            raise ParamError(param, f"{what} {raw!r} must not be negative")
        raise ParamError(
            param,
            f"{what} {raw!r} is not a Redis memory size (examples: 8gb, 512mb, 8Gi; Redis reads gb as 1024³, g as 1000³)",
        )
    if raw.startswith("-"):
        raise ParamError(param, f"{what} {raw!r} must not be negative")
    try:
        value = parse_bytes(raw, what=what)
    except QuantityError:
        raise ParamError(param, f"{what} {raw!r} is not a Kubernetes quantity (examples: 16Gi, 16000M)") from None
    text = raw
    if len(text) > 2 and text[-1] in "Bb" and text[-2] in "kKMGTPE":
        text = text[:-1]  # as parse_bytes reads it: "16GB" is 16G, and the API refuses "GB"
    return Quantity(value, text)


def parse_duration(raw: str, *, what: str = "duration", param: str = "") -> Duration:
    """A Prometheus duration: units y w d h m s ms, largest first, each at most once."""
    raw = raw.strip()
    match = _DURATION_RE.fullmatch(raw)
    if not raw or match is None:
        raise ParamError(param, f"{what} {raw!r} is not a Prometheus duration (examples: 5m, 1h, 1h30m)")
    seconds = sum(int(part) * unit for part, unit in zip(match.groups(), _DURATION_UNITS) if part)
    if seconds <= 0:
        raise ParamError(param, f"{what} {raw!r} must be longer than zero")
    return Duration(seconds, raw)


def is_bare_safe_text(text: str) -> bool:
    """True when ``text`` may stand unquoted; checked again at render time as a last guard."""
    return bool(_BARE_SAFE_RE.fullmatch(text))


# -- reading a [action.params.NAME] table --------------------------------------------------------

_COMMON_FIELDS = ("type", "default", "label", "help")
_TYPE_FIELDS = {
    "int": ("min", "max", "at_most"),
    "quantity": ("min", "max", "format"),
    "bool": (),
    "enum": ("choices",),
    "duration": ("min", "max"),
    "regex": ("max_length",),
    "string": ("max_length", "pattern"),
}


def param_from_table(name: str, table: Mapping[str, Any]) -> Param:
    """Build a ``Param`` from its TOML table; ``FieldError`` fields are relative to the param."""
    if not NAME_RE.fullmatch(name):
        raise FieldError("", "is not a valid parameter name (lowercase letters, digits and _, starting with a letter)")
    if not isinstance(table, Mapping):
        raise FieldError("", "must be a table with type, default, label and help")
    kind = table.get("type")
    if kind is None:
        raise FieldError("type", f"is missing (one of {', '.join(PARAM_TYPES)})")
    if kind not in PARAM_TYPES:
        raise FieldError("type", f"{kind!r} is not one of {', '.join(PARAM_TYPES)}")
    allowed = _COMMON_FIELDS + _TYPE_FIELDS[kind]
    for key in table:
        if key not in allowed:
            other = [t for t, extra in _TYPE_FIELDS.items() if key in extra]
            hint = f" (it belongs to type {', '.join(other)})" if other else suggest(key, allowed)
            raise FieldError(key, f"is not a field of a {kind} parameter{hint}")
    for key in ("default", "label"):
        if key not in table:
            raise FieldError(key, "is missing")
    for key in ("default", "label", "help"):
        if key in table and not isinstance(table[key], str):
            raise FieldError(key, f"must be a string (write it as the operator would type it, e.g. \"{table[key]}\")")
    kwargs: dict[str, Any] = {"name": name, "type": kind, "default": table["default"], "label": table["label"],
                              "help": table.get("help", "")}
    if kind == "int":
        for key in ("min", "max"):
            if key in table:
                if not isinstance(table[key], int) or isinstance(table[key], bool):
                    raise FieldError(key, f"{table[key]!r} must be an integer")
                kwargs[key] = table[key]
        if "at_most" in table:
            if not isinstance(table["at_most"], str) or not NAME_RE.fullmatch(table["at_most"]) or table["at_most"] == name:
                raise FieldError("at_most", f"{table['at_most']!r} must name another int parameter of this action")
            kwargs["at_most"] = table["at_most"]
    elif kind in ("quantity", "duration"):
        if kind == "quantity":
            fmt = table.get("format", "kubernetes")
            if fmt not in QUANTITY_FORMATS:
                raise FieldError("format", f"{fmt!r} is not one of {', '.join(QUANTITY_FORMATS)}")
            kwargs["format"] = fmt
        for key in ("min", "max"):
            if key in table:
                value = table[key]
                if not isinstance(value, str):
                    raise FieldError(key, f"{value!r} must be a string such as \"1Gi\" or \"5m\"")
                try:
                    if kind == "quantity":
                        parse_quantity_text(value, kwargs["format"])
                    else:
                        parse_duration(value)
                except ParamError as exc:
                    raise FieldError(key, f"{value!r} is not a valid {kind}: {exc.message}") from None
                kwargs[key] = value
    elif kind == "enum":
        choices = table.get("choices")
        if not isinstance(choices, list) or not choices or not all(isinstance(c, str) and c for c in choices):
            raise FieldError("choices", "must be a non-empty list of strings")
        if len(set(choices)) != len(choices):
            raise FieldError("choices", "lists a choice twice")
        kwargs["choices"] = tuple(choices)
    if "max_length" in table:
        value = table["max_length"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise FieldError("max_length", f"{value!r} must be a positive integer")
        kwargs["max_length"] = value
    if "pattern" in table:
        value = table["pattern"]
        try:
            re.compile(value)
        except (re.error, TypeError) as exc:
            raise FieldError("pattern", f"{value!r} is not a valid regular expression: {exc}") from None
        kwargs["pattern"] = value
    param = Param(**kwargs)
    if param.min is not None and param.max is not None:
        try:  # the upper bound must itself pass the lower bound
            Param(name, kind, str(param.max), "", min=param.min, format=param.format).validate(str(param.max))
        except ParamError:
            raise FieldError("min", f"{param.min!r} is greater than max {param.max!r}") from None
    try:
        param.validate(param.default)
    except ParamError as exc:
        raise FieldError("default", f"{param.default!r} is not a valid {kind}: {exc.message}") from None
    return param

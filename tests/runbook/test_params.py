"""Parameter validation: what the modal accepts as the operator types, and the messages it shows."""

from __future__ import annotations

import pytest

from memtui.runbook import Catalogue, Duration, Param, ParamError, Quantity


def _error(param: Param, text: str) -> ParamError:
    with pytest.raises(ParamError) as excinfo:
        param.validate(text)
    assert excinfo.value.param == param.name
    assert str(excinfo.value) == excinfo.value.message
    return excinfo.value


# -- int ---------------------------------------------------------------------------------------

def test_int_accepts_whole_numbers_in_range(catalogue: Catalogue):
    param = catalogue.get("fix.reduce-batch-size").param("batch_size")
    assert param.validate("32") == 32
    assert param.validate(" 16 ") == 16


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "batch_size 'abc' is not a whole number"),
        ("1.5", "batch_size '1.5' is not a whole number"),
        ("32x", "batch_size '32x' is not a whole number"),
        ("-1", "batch_size must be at least 1 (got -1)"),
        ("0", "batch_size must be at least 1 (got 0)"),
        ("5000", "batch_size must be at most 4096 (got 5000)"),
        ("", "batch_size must not be empty (default: 32)"),
        ("3\n2", "batch_size must not contain control characters (newlines, tabs)"),
    ],
)
def test_int_rejects_with_a_message_for_the_modal(catalogue: Catalogue, text, message):
    param = catalogue.get("fix.reduce-batch-size").param("batch_size")
    assert _error(param, text).message == message


def test_batch_size_may_not_exceed_max_batch_size(catalogue: Catalogue):
    action = catalogue.get("fix.reduce-batch-size")
    assert action.validate({"batch_size": "64", "max_batch_size": "64"}) == {"batch_size": 64, "max_batch_size": 64}
    with pytest.raises(ParamError) as excinfo:
        action.validate({"batch_size": "128"})
    assert excinfo.value.param == "batch_size"
    assert excinfo.value.message == "batch_size 128 is larger than max_batch_size 64"


# -- quantity (Kubernetes) ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [("16Gi", Quantity(16 * 2**30, "16Gi")), ("16000M", Quantity(16 * 10**9, "16000M")),
     ("16GB", Quantity(16 * 10**9, "16G")), ("1.5Gi", Quantity(3 * 2**29, "1.5Gi")),
     ("17179869184", Quantity(16 * 2**30, "17179869184"))],
)
def test_limit_reads_kubernetes_quantities_and_sends_what_the_api_accepts(catalogue: Catalogue, text, expected):
    assert catalogue.get("fix.raise-memory-limit").param("limit").validate(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("16Gx", "limit '16Gx' is not a Kubernetes quantity (examples: 16Gi, 16000M)"),
        ("abc", "limit 'abc' is not a Kubernetes quantity (examples: 16Gi, 16000M)"),
        ("16 Gi", "limit '16 Gi' is not a Kubernetes quantity (examples: 16Gi, 16000M)"),
        ("16GiB", "limit '16GiB' is not a Kubernetes quantity (examples: 16Gi, 16000M)"),
        ("-1", "limit '-1' must not be negative"),
        ("512Mi", "limit must be at least 1Gi (got 512Mi)"),
        ("1Ti", "limit must be at most 512Gi (got 1Ti)"),
    ],
)
def test_limit_rejects_what_kubernetes_would(catalogue: Catalogue, text, message):
    assert _error(catalogue.get("fix.raise-memory-limit").param("limit"), text).message == message


# -- quantity (Redis) --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [("8gb", Quantity(8 * 2**30, "8gb")), ("8GB", Quantity(8 * 2**30, "8gb")), ("8Gi", Quantity(8 * 2**30, "8gb")),
     ("512mb", Quantity(512 * 2**20, "512mb")), ("8g", Quantity(8 * 10**9, "8g")),
     ("1Ti", Quantity(2**40, "1024gb")), ("100000000", Quantity(10**8, "100000000"))],
)
def test_maxmemory_reads_redis_units_where_gb_is_binary(catalogue: Catalogue, text, expected):
    assert catalogue.get("fix.redis-maxmemory").param("maxmemory").validate(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("8gx", "maxmemory '8gx' is not a Redis memory size (examples: 8gb, 512mb, 8Gi; Redis reads gb as 1024³, g as 1000³)"),
        ("1.5gb", "maxmemory '1.5gb' is not a Redis memory size (examples: 8gb, 512mb, 8Gi; Redis reads gb as 1024³, g as 1000³)"),
        ("-1", "maxmemory '-1' must not be negative"),
        ("0", "maxmemory must be at least 64Mi (got 0)"),
        ("2048gb", "maxmemory must be at most 1024Gi (got 2048gb)"),
    ],
)
def test_maxmemory_rejects_what_redis_would_misread(catalogue: Catalogue, text, message):
    assert _error(catalogue.get("fix.redis-maxmemory").param("maxmemory"), text).message == message


# -- bool, enum --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [("true", True), ("False", False), ("yes", True), ("0", False), ("ON", True)])
def test_bool_reads_the_usual_spellings(catalogue: Catalogue, text, expected):
    assert catalogue.get("fix.enable-quantization").param("use_quantization").validate(text) is expected


def test_bool_rejects_anything_else_and_renders_as_configmap_text(catalogue: Catalogue):
    action = catalogue.get("fix.enable-quantization")
    assert _error(action.param("use_quantization"), "maybe").message == "use_quantization 'maybe' is not true or false"
    bound = action.bind({"use_quantization": "no"}, namespace="sap-llm")
    assert bound.data["use_quantization"] == "false"


@pytest.mark.parametrize("text", ["fp8", "FP16", "half"])
def test_enum_rejects_values_outside_its_choices(catalogue: Catalogue, text):
    error = _error(catalogue.get("fix.enable-quantization").param("model_precision"), text)
    assert error.message == f"model_precision {text!r} is not one of fp32, bf16, fp16, int8, int4"


def test_enum_accepts_its_choices(catalogue: Catalogue):
    param = catalogue.get("fix.redis-eviction-policy").param("policy")
    assert param.validate("allkeys-lfu") == "allkeys-lfu"
    assert _error(param, "lru").message.startswith("policy 'lru' is not one of allkeys-lru, allkeys-lfu")


# -- duration, regex, string -------------------------------------------------------------------

def test_duration_reads_prometheus_durations(catalogue: Catalogue):
    param = catalogue.get("diagnose.memory-growth").param("window")
    assert param.validate("1h30m") == Duration(5400, "1h30m")
    assert param.validate("90m") == Duration(5400, "90m")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 hour", "window '1 hour' is not a Prometheus duration (examples: 5m, 1h, 1h30m)"),
        ("-1h", "window '-1h' is not a Prometheus duration (examples: 5m, 1h, 1h30m)"),
        ("30m1h", "window '30m1h' is not a Prometheus duration (examples: 5m, 1h, 1h30m)"),
        ("0s", "window '0s' must be longer than zero"),
        ("2m", "window must be at least 5m (got 2m)"),
        ("2d", "window must be at most 1d (got 2d)"),
    ],
)
def test_duration_rejects_what_prometheus_would(catalogue: Catalogue, text, message):
    assert _error(catalogue.get("diagnose.memory-growth").param("window"), text).message == message


def test_regex_must_compile(catalogue: Catalogue):
    param = catalogue.get("diagnose.logs-memory").param("pattern")
    assert param.validate("OOM|killed") == "OOM|killed"
    assert _error(param, "(oom").message.startswith("pattern '(oom' is not a valid regular expression: missing )")
    assert _error(param, "x" * 201).message == "pattern is 201 characters long; at most 200 allowed"


def test_string_checks_length_and_pattern():
    param = Param("ticket", "string", "INC-1", "ticket", max_length=10, pattern=r"INC-[0-9]+")
    assert param.validate("INC-42") == "INC-42"
    assert _error(param, "INC-12345678").message == "ticket is 12 characters long; at most 10 allowed"
    assert _error(param, "bug 42").message == "ticket 'bug 42' does not match the pattern INC-[0-9]+"


def test_unknown_parameter_is_refused(catalogue: Catalogue):
    with pytest.raises(ParamError) as excinfo:
        catalogue.get("fix.scale-api").validate({"replica": "3"})
    assert excinfo.value.param == "replica"


def test_validate_round_trips_typed_values(catalogue: Catalogue):
    action = catalogue.get("fix.raise-memory-limit")
    typed = action.validate({"limit": "20Gi"})
    assert action.validate(typed) == typed
    assert action.render_equivalent(typed, namespace="sap-llm").endswith("--limits=memory=20Gi")

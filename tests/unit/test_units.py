import pytest

from memtui.state.units import QuantityError, describe_threshold, format_age, format_bytes, format_rate, parse_bytes


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10GB", 10**10), ("10G", 10**10), ("12Gi", 12 * 2**30), ("512Mi", 512 * 2**20), ("8589934592", 2**33), ("1.5Gi", 3 * 2**29)],
)
def test_parse_bytes_reads_kubernetes_quantities_and_the_runbooks_gb(text, expected):
    assert parse_bytes(text) == expected


@pytest.mark.parametrize(
    "text", ["10485760Ki", "12Gi", "8589934592", "0", "7Ei", "1.5Gi", "1e3", "12k", "512M", "100m", "0.5Ki", "12Mi"],
)
def test_the_integer_fast_path_gives_the_client_librarys_figure(text):
    from kubernetes.utils.quantity import parse_quantity

    assert parse_bytes(text) == int(parse_quantity(text))


@pytest.mark.parametrize("text", ["16Gx", "", "abc", "12 Gi", "-1Gi", "10GiB", "Ki"])
def test_parse_bytes_rejects_garbage_with_the_input_in_the_message(text):
    with pytest.raises(QuantityError) as excinfo:
        parse_bytes(text, what="limit")
    assert repr(text.strip()) in str(excinfo.value)
    assert "limit" in str(excinfo.value)


def test_the_runbooks_10gb_threshold_is_shown_in_both_units():
    # 10 GB is 9.31 GiB: the difference that makes "10GB" alerts fire "early" on Gi limits
    assert describe_threshold(10**10) == "10 GB (9.31 GiB)"
    assert describe_threshold(16 * 2**30) == "16 GiB (17.18 GB)"


def test_format_bytes_always_says_the_unit():
    assert format_bytes(11.3 * 2**30) == "11.3 GiB"
    assert format_bytes(512 * 2**20) == "512 MiB"
    assert format_bytes(None) == "—"


def test_format_rate_and_age_read_like_kubectl():
    assert format_rate(152 * 2**20) == "+152 MiB/min"
    assert format_rate(-3 * 2**30) == "-3.0 GiB/min"
    assert format_rate(0) == "±0 MiB/min"
    assert format_age(45) == "45s"
    assert format_age(12 * 60) == "12m"
    assert format_age(3 * 3600 + 12 * 60) == "3h12m"
    assert format_age(2 * 86400 + 4 * 3600) == "2d4h"

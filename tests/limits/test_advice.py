"""The advice's arithmetic: peak, headroom, growth over the horizon, rounding, window clamps, no history."""

from __future__ import annotations

import pytest

from memtui.reasoning.limit_advice import (
    GiB,
    MiB,
    AdviceSettings,
    UsageHistory,
    advise,
    buys_time,
    kubernetes_quantity,
    round_up,
    span_text,
    time_to_reach,
    window_for,
)


def history(peak: int | None, *, growth: float | None = None, current: int | None = None,
            limit: int | None = 12 * GiB, source: str = "prometheus", window: float = 7200.0) -> UsageHistory:
    return UsageHistory("sap-llm", "sap-llm", source, peak, window, held_s=window, growth_bytes_per_s=growth,
                        current_bytes=current, limit_bytes=limit)


def test_peak_plus_headroom_rounded_to_the_next_gi():
    advice = advise(history(10 * GiB))
    assert advice.headroom_bytes == round(1.5 * GiB)
    assert advice.growth_bytes == 0
    assert advice.raw_bytes == int(11.5 * GiB)
    assert (advice.proposed_bytes, advice.quantity, advice.step_bytes) == (12 * GiB, "12Gi", GiB)
    assert "peak 10.0 GiB + headroom 15% (1.5 GiB)" in advice.lines[1] and advice.lines[1].endswith("12Gi")


def test_growth_over_the_horizon_is_added():
    rate = 170 * MiB / 60  # +170 MiB/min
    advice = advise(history(8 * GiB, growth=rate), AdviceSettings(horizon_s=3600))
    assert advice.growth_bytes == round(170 * MiB * 60)  # 9.96 GiB in an hour
    # 8 + 1.2 + 9.96 = 19.16 GiB -> 20Gi
    assert advice.quantity == "20Gi"
    assert "+170 MiB/min × 1 h horizon" in advice.lines[1]
    longer = advise(history(8 * GiB, growth=rate), AdviceSettings(horizon_s=2 * 3600))
    assert longer.quantity == "30Gi"  # 8 + 1.2 + 19.9 = 29.1


def test_shrinking_or_flat_growth_adds_nothing():
    assert advise(history(8 * GiB, growth=-5 * MiB / 60)).growth_bytes == 0
    assert advise(history(8 * GiB, growth=0.5 * MiB / 60)).growth_bytes == 0  # under 1 MiB/min is flat


@pytest.mark.parametrize(("raw", "expected", "step"), [
    (1, 512 * MiB, 512 * MiB), (512 * MiB, 512 * MiB, 512 * MiB), (512 * MiB + 1, GiB, 512 * MiB),
    (int(7.2 * GiB), int(7.5 * GiB), 512 * MiB), (8 * GiB, 8 * GiB, 512 * MiB),
    (8 * GiB + 1, 9 * GiB, GiB), (int(23.01 * GiB), 24 * GiB, GiB)])
def test_rounding_steps(raw, expected, step):
    assert round_up(raw) == (expected, step)


def test_quantities_are_exact():
    assert kubernetes_quantity(24 * GiB) == "24Gi"
    assert kubernetes_quantity(int(7.5 * GiB)) == "7680Mi"
    assert kubernetes_quantity(2 * 1024**4) == "2Ti"


def test_window_clamped_to_one_hour_and_seven_days():
    assert window_for(20 * 60) == 3600  # Prometheus holds 20 min: still asked for 1 h
    assert window_for(5 * 3600) == 5 * 3600
    assert window_for(30 * 86400) == 7 * 86400
    assert window_for(None) == 7 * 86400
    assert window_for(2 * 86400, AdviceSettings(max_window_s=86400)) == 86400


def test_no_history_proposes_nothing_and_says_why():
    advice = advise(UsageHistory("sap-llm", "sap-llm", "none", None, 3600.0, note="no Prometheus, no samples yet"))
    assert advice.proposed_bytes is None and advice.quantity is None
    assert advice.lines == ("no history to compute a limit from (no Prometheus, no samples yet)",)


def test_memtui_history_says_so():
    advice = advise(history(9 * GiB, source="memtui", window=3600.0))
    assert advice.lines[0].startswith("from memtui's own history (no Prometheus)")


def test_censored_peak_at_the_old_limit_is_called_out():
    advice = advise(history(int(11.9 * GiB)))
    assert advice.censored
    assert any("the pods were stopped there" in line for line in advice.lines)
    assert not advise(history(9 * GiB)).censored


def test_ceiling_caps_the_proposal():
    advice = advise(history(30 * GiB), ceiling=(32 * GiB, "LimitRange sap-llm-limits max 32Gi per container"))
    assert advice.quantity == "32Gi" and advice.capped and "LimitRange" in advice.capped
    assert advise(history(10 * GiB), ceiling=(32 * GiB, "x")).capped is None


def test_buys_time_says_how_long():
    h = history(12 * GiB, growth=170 * MiB / 60, current=int(11.5 * GiB))
    # (16 GiB - 11.5 GiB) / 170 MiB/min = 27.1 min
    assert time_to_reach(16 * GiB, h.current_bytes, h.growth_bytes_per_s) == pytest.approx(4.5 * 1024 / 170 * 60)
    text = buys_time(16 * GiB, h)
    assert text == ("at +170 MiB/min the working set reaches 16 GiB in 27 min: "
                    "the new limit only buys time unless the growth stops")
    assert buys_time(16 * GiB, history(12 * GiB, growth=0.0, current=11 * GiB)) is None
    assert "already above" in buys_time(8 * GiB, h)


def test_span_text():
    assert span_text(6 * 3600 + 20 * 60 + 5) == "6 h 20 min"
    assert span_text(45 * 60) == "45 min"
    assert span_text(3600) == "1 h"
    assert span_text(2 * 86400 + 3 * 3600) == "2 d 3 h"
    assert span_text(10) == "under a minute"


def test_settings_refuse_nonsense():
    with pytest.raises(ValueError, match="headroom"):
        AdviceSettings(headroom=float("nan"))
    with pytest.raises(ValueError, match="min_window_s"):
        AdviceSettings(min_window_s=7200, max_window_s=3600)


def test_the_horizon_is_a_setting_in_minutes():
    from memtui.config.settings import SettingsError, load_settings

    assert load_settings({"limit_horizon": "120"}, config_path=None).limit_horizon == 120.0
    assert load_settings({}, config_path=None).limit_horizon == 60.0
    with pytest.raises(SettingsError, match="--limit-horizon must be a number between 0 and 10080 minutes"):
        load_settings({"limit_horizon": "nan"}, config_path=None)

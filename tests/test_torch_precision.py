"""CONFORMANCE_TORCH_FP32_PRECISION sets torch's own switch, as a user's script would (no torch needed)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conformance.adapters.torch_precision import ENV_VAR, apply_fp32_precision
from conformance.properties import KERNEL_ENV_VARS


def fake_torch() -> SimpleNamespace:
    return SimpleNamespace(backends=SimpleNamespace(mkldnn=SimpleNamespace(conv=SimpleNamespace(fp32_precision="none"))))


def test_the_variable_sets_torchs_conv_switch_and_is_recorded_with_the_run(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "bf16")
    torch = fake_torch()
    apply_fp32_precision(torch)
    assert torch.backends.mkldnn.conv.fp32_precision == "bf16"
    assert ENV_VAR in KERNEL_ENV_VARS


def test_without_the_variable_torchs_default_stays(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    torch = fake_torch()
    apply_fp32_precision(torch)
    assert torch.backends.mkldnn.conv.fp32_precision == "none"


def test_a_value_torch_does_not_take_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "bfloat16")
    with pytest.raises(ValueError, match=f"{ENV_VAR}='bfloat16'"):
        apply_fp32_precision(fake_torch())

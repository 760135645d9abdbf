"""The precision switches are run properties: recorded from the process, never by importing a framework."""

from __future__ import annotations

import sys
from types import SimpleNamespace

from conformance import properties


def test_precision_switches_read_only_the_frameworks_already_imported(monkeypatch):
    for name in ("torch", "tensorflow", "jax"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert properties.precision_switches() == {}
    config = SimpleNamespace(jax_default_matmul_precision="bfloat16", jax_enable_x64=True)
    monkeypatch.setitem(sys.modules, "jax", SimpleNamespace(config=config))
    assert properties.precision_switches() == {"jax_default_matmul_precision": "bfloat16", "jax_enable_x64": True}


def test_a_switch_this_release_lacks_is_left_out(monkeypatch):
    # torch before 2.9 has allow_tf32 but no fp32_precision attributes.
    backends = SimpleNamespace(
        cudnn=SimpleNamespace(allow_tf32=True),
        cuda=SimpleNamespace(matmul=SimpleNamespace(allow_tf32=False)),
        mkldnn=SimpleNamespace(),
    )
    torch = SimpleNamespace(backends=backends, get_float32_matmul_precision=lambda: "highest")
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.delitem(sys.modules, "jax", raising=False)
    assert properties.precision_switches() == {
        "torch.backends.cudnn.allow_tf32": True,
        "torch.backends.cuda.matmul.allow_tf32": False,
        "torch.get_float32_matmul_precision": "highest",
    }


def test_the_fpmath_and_tf32_variables_are_recorded_when_set():
    for name in ("ONEDNN_DEFAULT_FPMATH_MODE", "TF_SET_ONEDNN_FPMATH_MODE", "JAX_DEFAULT_MATMUL_PRECISION", "JAX_ENABLE_X64", "NVIDIA_TF32_OVERRIDE"):
        assert name in properties.KERNEL_ENV_VARS

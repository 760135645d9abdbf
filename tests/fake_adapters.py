"""Third-party-style adapters for the runner's tests, loaded as ``tests.fake_adapters:Class``.

``NumpyLoops`` is a correct conv_transpose written naively with loops (the oracle is not
imported: it would make the test circular); the others break on purpose, each in one way
the runner must isolate or report: a flipped kernel (FAIL, kernel-flipped), ``os.abort()``
on cases whose id contains "abort" (CRASH), sleeping forever on "hang" (TIMEOUT), raising
on "raise" (ERROR), and returning an output for an ``expect: error`` case (FAIL).
String padding modes and ``output_shape`` are left UNSUPPORTED: the fake needs explicit
padding only, and it gives the tests an adapter-declared UNSUPPORTED.
"""

from __future__ import annotations

import inspect
import os
import time
from typing import ClassVar

import numpy as np

from conformance.adapters.base import Adapter, NativeCall, Unsupported, framework_call
from conformance.dtypes import numpy_dtype


def naive_conv_transpose(x, w, b, stride, dilation, pads, output_padding, groups):
    """Scatter every input element through the kernel, then crop; plain Python loops.

    x (N, C_in, *L), w (C_in, C_out/groups, *k), pads ((before, after), ...) crop the full
    result, output_padding positions are appended at the end. Raises ValueError for what a
    framework refuses (non-positive stride or dilation, groups not dividing the channels,
    a kernel of the wrong size, an empty output).
    """
    import itertools

    import numpy as np

    n, c_in = x.shape[:2]
    dims = x.ndim - 2
    if any(s < 1 for s in stride) or any(d < 1 for d in dilation):
        raise ValueError(f"stride and dilation must be positive, got {stride}, {dilation}")
    if groups < 1 or c_in % groups or w.shape[0] != c_in:
        raise ValueError(f"kernel {w.shape} does not fit input {x.shape} with groups={groups}")
    c_out_g = w.shape[1]
    kernel = w.shape[2:]
    full = [(x.shape[2 + i] - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 for i in range(dims)]
    out = [full[i] - pads[i][0] - pads[i][1] + output_padding[i] for i in range(dims)]
    if any(o < 1 for o in out) or any(p < 0 for pair in pads for p in pair):
        raise ValueError(f"output size {out} from padding {pads} is not valid")
    room = [max(full[i], pads[i][0] + out[i]) for i in range(dims)]
    buffer = np.zeros([n, c_out_g * groups] + room)
    c_in_g = c_in // groups
    for batch, c in itertools.product(range(n), range(c_in)):
        g = c // c_in_g
        for i in itertools.product(*(range(size) for size in x.shape[2:])):
            for m in range(c_out_g):
                for t in itertools.product(*(range(size) for size in kernel)):
                    j = tuple(i[a] * stride[a] + t[a] * dilation[a] for a in range(dims))
                    buffer[(batch, g * c_out_g + m) + j] += x[(batch, c) + i] * w[(c, m) + t]
    window = tuple(slice(pads[i][0], pads[i][0] + out[i]) for i in range(dims))
    y = buffer[(slice(None), slice(None)) + window]
    if b is not None:
        y = y + b.reshape((1, -1) + (1,) * dims)
    return y


class NumpyLoops(Adapter):
    """A correct conv_transpose: computes in float64 from the case's values, rounds to its dtype."""

    name = "fake.numpy-loops"
    framework = "fake"
    module = "numpy"
    op = "conv_transpose"
    docs = "tests/fake_adapters.py"
    dtypes = frozenset({"float64", "float32", "float16"})
    dtype_reasons: ClassVar[dict[str, str]] = {"bfloat16": "the repro script would need ml_dtypes"}

    def translate(self, case):
        if case.padding_mode is not None:
            return Unsupported(f"padding-mode:{case.padding_mode}", "explicit pairs only", self.docs)
        if case.output_shape is not None:
            return Unsupported("output-shape", "the fake takes output_padding only", self.docs)
        return NativeCall(
            "naive_conv_transpose",
            {
                "stride": list(case.stride),
                "dilation": list(case.dilation),
                "pads": [list(p) for p in case.explicit_padding],
                "output_padding": list(case.output_padding),
                "groups": case.groups,
            },
            input_layout="NC" + "DHW"[3 - case.spatial_dims :],
            kernel_layout="IO" + "DHW"[3 - case.spatial_dims :],
        )

    def kernel(self, w):
        return w

    def execute(self, case, call):
        kw = call.kwargs
        with framework_call():  # naive_conv_transpose plays the framework
            y = naive_conv_transpose(
                case.x, self.kernel(case.w), case.b, kw["stride"], kw["dilation"], kw["pads"], kw["output_padding"], kw["groups"]
            )
        return y.astype(numpy_dtype(case.dtype)).astype(np.float64)

    kernel_source = ""

    def repro_source(self, case, call):
        kw = call.kwargs
        return "\n".join(
            [
                inspect.getsource(naive_conv_transpose),
                self.kernel_source,
                (
                    f"y = naive_conv_transpose(x, w, b, stride={kw['stride']}, dilation={kw['dilation']}, "
                    f"pads={kw['pads']}, output_padding={kw['output_padding']}, groups={kw['groups']})"
                ),
                "y = y.astype(dtype).astype(np.float64)",
            ]
        )


class FlippedKernel(NumpyLoops):
    """Reverses the kernel spatially: a true convolution where the canonical op correlates."""

    name = "fake.flipped-kernel"

    def kernel(self, w):
        return np.ascontiguousarray(np.flip(w, axis=tuple(range(2, w.ndim))))

    kernel_source = "w = np.flip(w, axis=tuple(range(2, w.ndim)))"


class AbortsOnAbortCases(NumpyLoops):
    name = "fake.aborts"

    def execute(self, case, call):
        if "abort" in case.id:
            print("fake framework: about to abort")  # must not corrupt the runner's pipe
            os.abort()
        return super().execute(case, call)


class HangsOnHangCases(NumpyLoops):
    name = "fake.hangs"

    def execute(self, case, call):
        if "hang" in case.id:
            while True:
                time.sleep(3600)
        return super().execute(case, call)


class RaisesOnRaiseCases(NumpyLoops):
    name = "fake.raises"

    def execute(self, case, call):
        if "raise" in case.id:
            with framework_call():
                raise RuntimeError("fake framework: no kernel for this configuration\nsecond line of the message")
        return super().execute(case, call)


class Rendered(NumpyLoops):
    """Runs its rendered call (``repro_source``), as the built-in adapters do: the run and
    the repro script are one text."""

    name = "fake.rendered"
    execute = Adapter.execute


class RenderedTypo(Rendered):
    """Its rendered text names something that does not exist: the adapter's defect."""

    name = "fake.rendered-typo"

    def repro_source(self, case, call):
        return super().repro_source(case, call).replace("y = naive_conv_transpose(", "y = naive_conv_transpos(")


class BuggyOnInvalidCases(NumpyLoops):
    """Its own code fails before the framework is called on an invalid case: a harness
    error, which must never pass as the framework refusing the case."""

    name = "fake.buggy"

    def execute(self, case, call):
        if case.expect == "error" or "raise" in case.id:
            return {"kernel": case.w}["weights"]  # the adapter's own bug: KeyError
        return super().execute(case, call)


class AcceptsInvalid(NumpyLoops):
    """Never refuses: an invalid stride or dilation is silently taken as 1 (what a lax API does)."""

    name = "fake.accepts-invalid"

    @staticmethod
    def lax(call):
        kw = dict(call.kwargs)
        kw["stride"] = [max(s, 1) for s in kw["stride"]]
        kw["dilation"] = [max(d, 1) for d in kw["dilation"]]
        return NativeCall(call.api, kw, call.input_layout, call.kernel_layout)

    def execute(self, case, call):
        return super().execute(case, self.lax(call))

    def repro_source(self, case, call):
        return super().repro_source(case, self.lax(call))


class ExitsOnExitCases(NumpyLoops):
    """Leaves through os._exit (a framework calling exit() from native code)."""

    name = "fake.exits"

    def execute(self, case, call):
        if "abort" in case.id:
            os._exit(7)
        return super().execute(case, call)


class SlowImport(NumpyLoops):
    """Its "framework" takes a second to import, longer than the tests' case timeout."""

    name = "fake.slow-import"

    @classmethod
    def framework_version(cls):
        time.sleep(1.0)
        return super().framework_version()


class SlowExitHandler(NumpyLoops):
    """Its "framework" registers an exit handler that takes longer than Executor.close waits
    (JAX's api.clean_up clears every compiled program at exit: seconds after a corpus). Not in
    ADAPTERS: any process that asked its version would sleep at its own exit."""

    name = "fake.slow-exit-handler"

    @classmethod
    def framework_version(cls):
        import atexit

        atexit.register(time.sleep, 30)
        return super().framework_version()


class MissingFramework(NumpyLoops):
    """Names a framework module that is not installed anywhere."""

    name = "fake.missing-framework"
    module = "conformance_no_such_framework"


ADAPTERS = [NumpyLoops, FlippedKernel, AbortsOnAbortCases, HangsOnHangCases, RaisesOnRaiseCases, AcceptsInvalid, ExitsOnExitCases, SlowImport]


class ShapeOnly(Rendered):
    """A shape-only adapter (``judges = "shape"``), as a shape-inference pass is: its rendered
    call leaves the output's shape as ``y``, from the naive result's shape."""

    name = "fake.shape-only"
    judges = "shape"

    def repro_source(self, case, call):
        return super().repro_source(case, call) + "\ny = tuple(y.shape)"


class ShapeOnlyOneShort(ShapeOnly):
    """Infers every spatial length one short: a wrong shape, with no values to diagnose."""

    name = "fake.shape-only-one-short"

    def repro_source(self, case, call):
        return super().repro_source(case, call) + "\ny = y[:2] + tuple(size - 1 for size in y[2:])"


class ShapeOnlyAcceptsInvalid(ShapeOnly):
    """Gives a shape to every case, invalid ones included (stride 0 read as 1)."""

    name = "fake.shape-only-accepts-invalid"

    def repro_source(self, case, call):
        return super().repro_source(case, AcceptsInvalid.lax(call))


# -- precision (issue 16): an honest conv/conv_transpose and kernels that compute below the dtype --


def taps_conv(x, w, stride, dilation, pads, groups):
    """conv by a loop over kernel taps: pad x, then per tap one strided slice times w[:, :, t]."""
    import itertools

    import numpy as np

    dims = x.ndim - 2
    xpad = np.pad(x, [(0, 0), (0, 0)] + [tuple(p) for p in pads])
    kernel = w.shape[2:]
    out = [(xpad.shape[2 + a] - dilation[a] * (kernel[a] - 1) - 1) // stride[a] + 1 for a in range(dims)]
    c_in_g, c_out_g = x.shape[1] // groups, w.shape[0] // groups
    y = np.zeros([x.shape[0], w.shape[0]] + out)
    for g, t in itertools.product(range(groups), itertools.product(*(range(k) for k in kernel))):
        window = tuple(
            slice(t[a] * dilation[a], t[a] * dilation[a] + (out[a] - 1) * stride[a] + 1, stride[a]) for a in range(dims)
        )
        xs = xpad[(slice(None), slice(g * c_in_g, (g + 1) * c_in_g)) + window]
        ws = w[(slice(g * c_out_g, (g + 1) * c_out_g), slice(None)) + tuple(t)]
        y[:, g * c_out_g : (g + 1) * c_out_g] += np.einsum("nc...,oc->no...", xs, ws)
    return y


def taps_conv_transpose(x, w, stride, dilation, pads, output_padding, groups):
    """conv_transpose by a loop over kernel taps: scatter x times w[:, :, t] into the full
    result, then crop the padding and append output_padding at the end."""
    import itertools

    import numpy as np

    dims = x.ndim - 2
    kernel = w.shape[2:]
    full = [(x.shape[2 + a] - 1) * stride[a] + dilation[a] * (kernel[a] - 1) + 1 for a in range(dims)]
    out = [full[a] - pads[a][0] - pads[a][1] + output_padding[a] for a in range(dims)]
    room = [max(full[a], pads[a][0] + out[a]) for a in range(dims)]
    c_in_g, c_out_g = x.shape[1] // groups, w.shape[1]
    buffer = np.zeros([x.shape[0], c_out_g * groups] + room)
    for g, t in itertools.product(range(groups), itertools.product(*(range(k) for k in kernel))):
        window = tuple(
            slice(t[a] * dilation[a], t[a] * dilation[a] + (x.shape[2 + a] - 1) * stride[a] + 1, stride[a])
            for a in range(dims)
        )
        xs = x[:, g * c_in_g : (g + 1) * c_in_g]
        ws = w[(slice(g * c_in_g, (g + 1) * c_in_g), slice(None)) + tuple(t)]
        buffer[(slice(None), slice(g * c_out_g, (g + 1) * c_out_g)) + window] += np.einsum("nc...,cm->nm...", xs, ws)
    return buffer[(slice(None), slice(None)) + tuple(slice(pads[a][0], pads[a][0] + out[a]) for a in range(dims))]


class Taps(Adapter):
    """A correct conv and conv_transpose (explicit padding): computes in float64 from the
    case's values and rounds once to its dtype, as a kernel that accumulates wider does."""

    name = "fake.taps"
    framework = "fake"
    module = "numpy"
    op = "conv_transpose"
    docs = "tests/fake_adapters.py"
    # The dtype the kernel really computes in, per case dtype (rounding x, w, b and the result).
    computes_in: ClassVar[dict[str, str]] = {}

    def applies_to(self, case):
        return True

    def translate(self, case):
        if case.padding_mode is not None:
            return Unsupported(f"padding-mode:{case.padding_mode}", "explicit pairs only", self.docs)
        if case.output_shape is not None:
            return Unsupported("output-shape", "the fake takes output_padding only", self.docs)
        kwargs = {
            "stride": list(case.stride),
            "dilation": list(case.dilation),
            "pads": [list(p) for p in case.explicit_padding],
            "groups": case.groups,
        }
        if case.op == "conv_transpose":
            kwargs["output_padding"] = list(case.output_padding)
        dims = "DHW"[3 - case.spatial_dims :]
        return NativeCall(
            f"taps_{case.op}", kwargs, input_layout="NC" + dims, kernel_layout=("OI" if case.op == "conv" else "IO") + dims
        )

    def narrow(self, case):
        return self.computes_in.get(case.dtype, case.dtype)

    def execute(self, case, call):
        narrow = numpy_dtype(self.narrow(case))

        def rounded(array):
            with np.errstate(over="ignore"):
                return None if array is None else array.astype(narrow).astype(np.float64)

        x, w, b = rounded(case.x), rounded(case.w), rounded(case.b)
        with framework_call(), np.errstate(all="ignore"):
            function = taps_conv if case.op == "conv" else taps_conv_transpose
            y = function(x, w, **call.kwargs)
            if b is not None:
                y = y + b.reshape((1, -1) + (1,) * (y.ndim - 2))
            return y.astype(narrow).astype(numpy_dtype(case.dtype)).astype(np.float64)

    def repro_source(self, case, call):
        import ml_dtypes  # noqa: F401  (bfloat16 in the repro's dtype)

        kwargs = ", ".join(f"{k}={v!r}" for k, v in call.kwargs.items())
        narrow = self.narrow(case)
        return "\n".join(
            [
                "import ml_dtypes",
                inspect.getsource(taps_conv if case.op == "conv" else taps_conv_transpose),
                f"narrow = np.dtype(ml_dtypes.bfloat16) if {narrow!r} == 'bfloat16' else np.dtype({narrow!r})",
                "x, w = x.astype(narrow).astype(np.float64), w.astype(narrow).astype(np.float64)",
                f"y = taps_{case.op}(x, w, {kwargs})",
                "y = y if b is None else y + b.astype(narrow).astype(np.float64).reshape((1, -1) + (1,) * (y.ndim - 2))",
                "y = y.astype(narrow).astype(dtype).astype(np.float64)",
            ]
        )


class Float16InsideFloat32(Taps):
    """Computes float32 cases from float16-rounded inputs, in float16 (a float32 layer run at half precision)."""

    name = "fake.float16-inside-float32"
    computes_in = {"float32": "float16"}


class Bfloat16InsideFloat16(Taps):
    """Computes float16 cases from bfloat16-rounded inputs (a float16 kernel with bfloat16 arithmetic)."""

    name = "fake.bfloat16-inside-float16"
    computes_in = {"float16": "bfloat16"}


class Float32InsideFloat64(Taps):
    """Computes float64 cases in float32 (a float64 request quietly computed in float32)."""

    name = "fake.float32-inside-float64"
    computes_in = {"float64": "float32"}


PLANTED_REDUCED_PRECISION = {
    Float16InsideFloat32: ("float32", "float16"),
    Bfloat16InsideFloat16: ("float16", "bfloat16"),
    Float32InsideFloat64: ("float64", "float32"),
}

"""Binding a parsed call to an API's signature: positional order, defaults, the arguments it
takes (an unknown one is an error naming the accepted ones), and the ones that do not
change the convolution (initializers, names, dtypes) or come after it (activation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .layer import PortError

# Arguments that do not change what the convolution computes.
NEUTRAL = frozenset({
    "name", "dtype", "param_dtype", "device", "precision", "preferred_element_type", "kernel_initializer",
    "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
    "bias_constraint", "weight_initializer", "weight_attr", "kernel_init", "bias_init", "prefix", "params",
    "trainable", "input_shape", "batch_input_shape", "workspace", "cudnn_tune", "cudnn_off", "out", "reuse",
    "use_cudnn_on_gpu", "doc_string", "domain", "lora_rank", "lora_alpha", "rngs", "mask", "kernel_size_",
    "dot_general", "conv_general_dilated", "promote_dtype", "weight_init", "bias_init",
})


@dataclass(frozen=True)
class Signature:
    """An API's parameters in positional order, with defaults (``REQUIRED`` for none)."""

    params: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # TF1's value/filter -> input/filters
    takes_attributes: bool = False  # onnx.helper.make_node(**attrs)

    def bind(self, api: str, args: tuple, kwargs: dict) -> tuple[dict[str, Any], list[str]]:
        """-> (every parameter's value, notes on the neutral and after-the-conv arguments)."""
        if len(args) > len(self.params):
            raise PortError(
                f"{api} takes at most {len(self.params)} positional arguments ({', '.join(self.params)}), got {len(args)}"
            )
        bound = dict(zip(self.params, args))
        notes = []
        for name, value in kwargs.items():
            name = self.aliases.get(name, name)
            if name in bound:
                raise PortError(f"{api}: argument {name!r} given twice (by position and by name)")
            if name in self.params or self.takes_attributes:
                bound[name] = value
            elif name in NEUTRAL:
                notes.append(f"{name}={value!r} does not change the convolution")
            else:
                raise PortError(f"{api} does not take argument {name!r}; it takes: {', '.join(self.params)}")
        for name in self.params:
            if name not in bound:
                if name not in self.defaults:
                    raise PortError(f"{api}: missing argument {name!r} (its parameters: {', '.join(self.params)})")
                bound[name] = self.defaults[name]
        activation = bound.pop("activation", None)
        if activation not in (None, "linear"):
            notes.append(f"activation={activation!r} is applied after the convolution: add it after the ported call")
        return bound, notes


def sig(params: str, **defaults) -> Signature:
    return Signature(tuple(params.split()), defaults)

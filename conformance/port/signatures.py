"""Binding a parsed call to an API's signature: positional order, defaults, the arguments it
takes (an unknown one is an error naming the accepted ones), and the ones that do not
change the convolution (initializers, names, dtypes) or come after it (activation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .layer import PortError

# Arguments that do not change the canonical layer (its op, sizes, windows, groups, bias):
# names, dtypes and devices say where and in what precision the same convolution runs, and
# initializers, regularizers, constraints and parameter attributes set or train the weights that
# `--verify` and the port replace with the user's own. They are read (as text, never run), noted,
# and bound to nothing, even where the API takes them by position (TF1's name, Flax's dtype).
NEUTRAL = frozenset({
    "name", "dtype", "param_dtype", "device", "precision", "preferred_element_type", "kernel_initializer",
    "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
    "bias_constraint", "weight_initializer", "weight_attr", "kernel_init", "bias_init", "prefix", "params",
    "trainable", "input_shape", "batch_input_shape", "workspace", "cudnn_tune", "cudnn_off", "out", "reuse",
    "use_cudnn_on_gpu", "doc_string", "domain", "rngs", "kernel_size_", "promote_dtype", "weight_init",
})
# Not neutral, though they look like settings: Flax's lora_rank/lora_alpha add a trained low-rank
# term to the kernel, and its conv_general_dilated/dot_general replace the convolution itself.


@dataclass(frozen=True)
class Signature:
    """An API's parameters in positional order, with defaults (``REQUIRED`` for none)."""

    params: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # TF1's value/filter -> input/filters
    takes_attributes: bool = False  # onnx.helper.make_node(**attrs)
    positional: int | None = None  # how many it takes by position, where fewer than params (TF1's keyword-only aliases)

    def bind(self, api: str, args: tuple, kwargs: dict) -> tuple[dict[str, Any], list[str]]:
        """-> (every parameter's value, notes on the neutral and after-the-conv arguments)."""
        limit = len(self.params) if self.positional is None else self.positional
        if len(args) > limit:
            raise PortError(
                f"{api} takes at most {limit} positional arguments ({', '.join(self.params[:limit])}), got {len(args)}"
            )
        bound, notes = {}, []
        given = set()

        def take(name, value):
            given.add(name)
            if name in NEUTRAL:
                notes.append(f"{name}={value!r} does not change the convolution")
            else:
                bound[name] = value

        for name, value in zip(self.params, args):
            take(name, value)
        for name, value in kwargs.items():
            name = self.aliases.get(name, name)
            if name in given:
                raise PortError(f"{api}: argument {name!r} given twice (by position and by name)")
            if name in self.params or self.takes_attributes or name in NEUTRAL:
                take(name, value)
            else:
                raise PortError(f"{api} does not take argument {name!r}; it takes: {', '.join(self.params)}")
        for name in self.params:
            if name not in given and name not in NEUTRAL:
                if name not in self.defaults:
                    raise PortError(f"{api}: missing argument {name!r} (its parameters: {', '.join(self.params)})")
                bound[name] = self.defaults[name]
        activation = bound.pop("activation", None)
        if activation not in (None, "linear"):
            notes.append(f"activation={activation!r} is applied after the convolution: add it after the ported call")
        return bound, notes


def sig(params: str, **defaults) -> Signature:
    return Signature(tuple(params.split()), defaults)

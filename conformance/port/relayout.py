"""The numpy expressions a port prints: a tensor moved between layouts (and a kernel
flipped where one side flips), as one expression from the source's array."""

from __future__ import annotations

from ..adapters.layout import SPATIAL
from .inverse.common import normal_layout


def transpose_expr(name: str, src: str, dst: str) -> str:
    src, dst = normal_layout(src), normal_layout(dst)
    perm = [src.index(letter) for letter in dst]
    if perm == list(range(len(perm))):
        return name
    return f"{name}.transpose({', '.join(map(str, perm))})"


def spatial_axes(layout: str) -> tuple[int, ...]:
    layout = normal_layout(layout)
    return tuple(i for i, letter in enumerate(layout) if letter in "DHW")


def weight_expr(src: str, src_flipped: bool, dst: str, dst_flipped: bool, groups: int = 1, conv_layout_for_transpose: bool = False,
                channels: tuple[int, int] | None = None) -> str:
    """The source's weight array ``w`` (layout ``src``) as the target takes it (``dst``).

    ``*_flipped``: that side's kernel is the canonical one spatially flipped (jax/flax with
    transpose_kernel=False); one flip when exactly one side flips. ``conv_layout_for_transpose``:
    the target's transposed-conv weight is a conv weight (C_out, C_in/g, *k) (MLX): the
    in/out channels swap within each group first.
    """
    src, dst = normal_layout(src), normal_layout(dst)
    dims = sum(letter in "DHW" for letter in src)
    expr = "w"
    layout = src
    if conv_layout_for_transpose:
        canonical = "IO" + SPATIAL[dims]
        expr = transpose_expr(expr, layout, canonical)
        layout = canonical
        c_in, c_out = channels
        if groups == 1:
            expr = f"{expr}.swapaxes(0, 1)" if expr != "w" else "w.swapaxes(0, 1)"
        else:
            k = ", ".join(["-1"] * 0 + [f"*{expr}.shape[2:]"])
            expr = (f"{expr}.reshape({groups}, {c_in // groups}, {c_out // groups}, {k}).swapaxes(1, 2)"
                    f".reshape({c_out}, {c_in // groups}, {k})")
        layout = "OI" + SPATIAL[dims]  # now a conv weight: O = C_out, I = C_in/g
    expr = transpose_expr(f"({expr})" if expr != "w" and not expr.endswith(")") else expr, layout, dst)
    if src_flipped != dst_flipped:
        expr = f"np.flip({expr}, axis={spatial_axes(dst)})"
    return expr

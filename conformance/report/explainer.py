"""The teacher's explainer: the scatter picture of conv_transpose as inline SVG.

Drawn from the suite's seed case ``d2l-basic`` (d2l.ai 12.10.1): X = [[0, 1], [2, 3]],
K = [[0, 1], [2, 3]], stride 1, no padding. Each input element places a copy of the kernel,
scaled by itself, at its own position times the stride; the copies add up to the full
result. The sum is done here by that rule, for the picture only (the suite's oracle is
``conformance/oracle/``); ``tests/test_report.py`` checks it against the case's printed 3x3.
The SVG uses presentation attributes, no ``style``: the page's CSP allows none.
"""

from __future__ import annotations

from markupsafe import Markup

SEED_CASE = "d2l-basic"
X = [[0, 1], [2, 3]]
K = [[0, 1], [2, 3]]
STRIDE = 1
CELL = 22  # px per element
GAP = 18  # px between panels


def scatter(x: list[list[int]], k: list[list[int]], stride: int) -> tuple[list[list[list[list[int | None]]]], list[list[int]]]:
    """(one full-size grid per input element, holding its scaled kernel copy or None; their sum)."""
    size = ((len(x) - 1) * stride + len(k), (len(x[0]) - 1) * stride + len(k[0]))
    copies = []
    total = [[0] * size[1] for _ in range(size[0])]
    for i, row in enumerate(x):
        copies.append([])
        for j, value in enumerate(row):
            grid: list[list[int | None]] = [[None] * size[1] for _ in range(size[0])]
            for a, k_row in enumerate(k):
                for b, weight in enumerate(k_row):
                    grid[i * stride + a][j * stride + b] = value * weight
                    total[i * stride + a][j * stride + b] += value * weight
            copies[-1].append(grid)
    return copies, total


def grid_svg(grid: list[list[int | None]], left: int, top: int, highlight: bool = False) -> str:
    parts = []
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            x, y = left + c * CELL, top + r * CELL
            fill = "#eef1f4" if value is None else ("#ddf4ff" if highlight else "#fff8c5")
            parts.append(f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{fill}" stroke="#59636e"/>')
            if value is not None:
                parts.append(
                    f'<text x="{x + CELL / 2:g}" y="{y + CELL / 2 + 4:g}" text-anchor="middle" '
                    f'font-size="12" fill="#1f2328">{int(value)}</text>'
                )
    return "".join(parts)


def scatter_svg() -> Markup:
    """X (2x2) scatters four scaled copies of K into a 3x3 grid; they sum to the full result."""
    copies, total = scatter(X, K, STRIDE)
    rows, cols = len(total), len(total[0])
    width_of = cols * CELL
    parts = []
    left = 0
    top = 20
    labels = []
    for i, row in enumerate(copies):
        for j, grid in enumerate(row):
            labels.append((left, f"x[{i},{j}]={X[i][j]} times K"))
            parts.append(grid_svg(grid, left, top))
            left += width_of + GAP
            sign = "+" if (i, j) != (len(copies) - 1, len(row) - 1) else "="
            parts.append(
                f'<text x="{left - GAP / 2:g}" y="{top + rows * CELL / 2 + 5:g}" text-anchor="middle" '
                f'font-size="16" fill="#1f2328">{sign}</text>'
            )
    labels.append((left, "full result"))
    parts.append(grid_svg(total, left, top, highlight=True))
    for x, text in labels:
        parts.append(f'<text x="{x}" y="12" font-size="11" fill="#59636e">{text}</text>')
    width = left + width_of + 2
    height = top + rows * CELL + 2
    title = (
        "The scatter picture of conv_transpose: each of the four input elements places the kernel, "
        "scaled by itself, at its own position; the four copies add up to the 3x3 full result "
        + str(total)
    )
    return Markup(  # noqa: S704 - integers and fixed words only
        f'<svg role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="scatter-title"><title id="scatter-title">{title}</title>'
        + "".join(parts)
        + "</svg>"
    )

"""Charts for the bulletin, drawn with matplotlib as inline SVG (text as outlines, so they need no font),
in the one colour scheme of scoring/palette.py."""

from __future__ import annotations

import io
import re
from functools import cache

import polars as pl

from documents.edition import edition_label
from documents.fonts import FAMILY, font_path
from scoring.palette import CATEGORY_COLORS, NEUTRAL, WARNING_COLORS, WARNING_ORDER

INK = "#1f1f1f"  # text and axes: the palette's dark text colour
# The bulletin prints a chart at its own size (never enlarged, shrunk only if wider than the page): a chart is at most
# WIDTH inches wide (the A4 page's 170 mm type area is 6.69 in), so a font size here is the printed size, and no
# text is smaller than MIN_PT.
WIDTH, MIN_PT = 6.5, 8


@cache
def _pyplot():
    """matplotlib, set up on the first chart: importing it costs ~1 s, which a run that publishes nothing
    (a contract failure) or the definitions' import must not pay."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font_path()))
    return plt


def _setup():
    """pyplot with the documents' style (set again for every chart: another caller may have changed it)."""
    plt = _pyplot()
    plt.rcParams.update({"font.family": FAMILY, "svg.fonttype": "path", "axes.unicode_minus": False,
                         "font.size": 9, "xtick.labelsize": MIN_PT, "ytick.labelsize": MIN_PT,
                         "legend.fontsize": MIN_PT, "axes.titlesize": 9, "axes.edgecolor": INK, "text.color": INK, "axes.labelcolor": INK,
                         "xtick.color": INK, "ytick.color": INK, "svg.hashsalt": "majorwatch",
                         "axes.spines.top": False, "axes.spines.right": False})
    return plt


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    _pyplot().close(fig)
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)  # RDF names no reader needs
    return text[text.index("<svg"):]  # inline: drop the XML prolog and doctype


def wrap_title(name: str, width: int = 10) -> str:
    """A panel's title on as many lines as it needs, never cut: 信息传输、软件和信息技术服务业 → two lines, broken
    after a 、 or 和 near the middle when there is one."""
    if len(name) <= width:
        return name
    cuts = [i + 1 for i, ch in enumerate(name) if ch in "、和及与" and 0 < i + 1 < len(name)]
    cut = min(cuts, key=lambda i: abs(i - len(name) / 2)) if cuts else width
    if max(cut, len(name) - cut) > width + 3:
        cut = width
    return name[:cut] + "\n" + wrap_title(name[cut:], width)


def period_positions(periods: list[str]) -> dict[str, int]:
    """Each period's place on the time axis ('2023-Q4' → 11 when the first year is 2021): a missing year keeps its
    room, so the line breaks there instead of joining its neighbours."""
    if not periods:
        return {}
    step = 4 if any("-Q" in p for p in periods) else 1
    first = min(int(p[:4]) for p in periods)
    return {p: (int(p[:4]) - first) * step + (int(p.split("-Q")[1]) - 1 if "-Q" in p else 0) for p in periods}


def _step(x: dict[str, int]) -> int:
    return 4 if any("-Q" in p for p in x) else 1


def with_breaks(xs: list[int], ys: list[float], step: int) -> tuple[list[float], list[float]]:
    """The points with a gap (NaN: matplotlib lifts the pen) wherever a whole year is missing between two of them;
    a missing year is a break in the line, never a value."""
    out_x: list[float] = []
    out_y: list[float] = []
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if i and x - xs[i - 1] > step:
            out_x.append((x + xs[i - 1]) / 2)
            out_y.append(float("nan"))
        out_x.append(x)
        out_y.append(y)
    return out_x, out_y


def ratio_panels(series: pl.DataFrame, sections: list[str]) -> str:
    """求人倍率 over time, one small panel per 门类 (and 全市): solid = actual, dashed = forecast."""
    plt = _setup()
    cols = 3
    rows = (len(sections) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(WIDTH, 1.75 * rows + 0.5), sharey=False, squeeze=False)
    for ax, code in zip(axes.flat, sections, strict=False):
        part = series.filter(pl.col("section_code") == code).sort("period")
        name = part["section_name"][0] if part.height else code
        actual, fc = part.filter(~pl.col("is_forecast")), part.filter(pl.col("is_forecast"))
        x = period_positions(part["period"].unique(maintain_order=True).to_list())
        ax.plot(*with_breaks([x[p] for p in actual["period"]], actual["ratio"].to_list(), _step(x)),
                color=NEUTRAL, lw=1.6, label="实际")
        if fc.height and actual.height:
            px = [x[actual["period"][-1]]] + [x[p] for p in fc["period"]]
            ax.plot(px, [actual["ratio"][-1], *fc["ratio"]], color=NEUTRAL, lw=1.6, ls="--", label="预测")
        ax.set_title(wrap_title(name), fontsize=9)
        ticks = [i for p, i in x.items() if p.endswith("Q1") or "-" not in p]
        ax.set_xticks(ticks[::2] if len(ticks) > 4 else ticks,
                      [p[2:4] + "年" if len(ticks) > 4 else p[:4] for p, i in x.items() if i in ticks][::2 if len(ticks) > 4 else 1],
                      fontsize=MIN_PT)
        ax.tick_params(axis="y", labelsize=MIN_PT)
    for ax in list(axes.flat)[len(sections):]:
        ax.axis("off")
    fig.suptitle("求人倍率（岗位需求人数 ÷ 求职人数）：实线为实际，虚线为预测", fontsize=10)
    fig.tight_layout()
    return _svg(fig)


def guidance_bars(catalog: pl.DataFrame, order: list[str]) -> str:
    """Majors per guidance category, stacked by warning level (红/黄/绿 colours)."""
    plt = _setup()
    counts = catalog.group_by("guidance", "warning_level").len()
    present = [g for g in order if g in set(counts["guidance"])]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.3 * len(present) + 0.9), layout="constrained")
    left = [0] * len(present)
    for level in WARNING_ORDER:
        values = [counts.filter((pl.col("guidance") == g) & (pl.col("warning_level") == level))["len"].sum()
                  for g in present]
        ax.barh(present, values, left=left, color=WARNING_COLORS[level][0], label=f"{level}色预警")
        left = [a + b for a, b in zip(left, values, strict=True)]
    for i, total in enumerate(left):
        ax.text(total, i, f" {total}", va="center", fontsize=MIN_PT)
    ax.set_xlim(0, max(left, default=1) * 1.12)
    ax.invert_yaxis()
    ax.set_xlabel("专业数（个）")
    _legend_above(ax)
    return _svg(fig)


def history_bars(history: pl.DataFrame) -> str:
    """Majors per edition, one bar per year's edition (oldest first), stacked by warning level (the
    edition_history table)."""
    plt = _setup()
    editions = history.select("edition", "state").unique(maintain_order=True).rows()
    labels = [edition_label({"id": e, "state": s}) for e, s in editions]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.3 * len(editions) + 0.9), layout="constrained")
    left = [0] * len(editions)
    for level in WARNING_ORDER:
        values = [int(history.filter((pl.col("edition") == e) & (pl.col("warning_level") == level))["count"].sum())
                  for e, _ in editions]
        ax.barh(labels, values, left=left, color=WARNING_COLORS[level][0], label=f"{level}色预警")
        for i, (start, v) in enumerate(zip(left, values, strict=True)):
            if v and level != "绿":
                ax.text(start + v / 2, i, str(v), va="center", ha="center", fontsize=MIN_PT)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlim(0, max(left, default=1) * 1.05)
    ax.invert_yaxis()
    ax.set_xlabel("专业数（个）")
    _legend_above(ax)
    return _svg(fig)


def _legend_above(ax, ncol: int = 3) -> None:
    """The legend in a row above the plot, where it can cover no bar and no value."""
    ax.legend(fontsize=MIN_PT, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=ncol, borderaxespad=0.3)


def category_bars(counts: dict[str, int]) -> str:
    """Entries in force per industry-list category, in the categories' colours."""
    plt = _setup()
    keys = [k for k in CATEGORY_COLORS if counts.get(k)]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.3 * max(len(keys), 1) + 0.8), layout="constrained")
    ax.barh([CATEGORY_COLORS[k][0] for k in keys], [counts[k] for k in keys],
            color=[CATEGORY_COLORS[k][1] for k in keys])
    for i, k in enumerate(keys):
        ax.text(counts[k], i, f" {counts[k]}", va="center", fontsize=MIN_PT)
    ax.set_xlim(0, max((counts[k] for k in keys), default=1) * 1.12)
    ax.invert_yaxis()
    ax.set_xlabel("现行清单条目数（条）")
    return _svg(fig)


def gap_bars(groups: pl.DataFrame) -> str:
    """招生占比 − 需求占比 for the most over- and under-supplied groups (percentage points)."""
    plt = _setup()
    df = groups.sort("gap", descending=True)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.12 * df.height + 0.8), layout="constrained")
    colors = [WARNING_COLORS["红"][0] if g > 0 else NEUTRAL for g in df["gap"]]
    ax.barh(df["group_name"].to_list(), (df["gap"] * 100).to_list(), color=colors)
    ax.axvline(0, color=INK, lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("招生占比 − 需求人数占比（百分点）\n红色为供给偏多，蓝色为供给不足", fontsize=MIN_PT + 1)
    return _svg(fig)


def district_bars(districts: pl.DataFrame) -> str:
    """Offerings per district, split by warning level."""
    plt = _setup()
    fig, ax = plt.subplots(figsize=(WIDTH, 0.12 * districts.height + 0.8), layout="constrained")
    left = [0] * districts.height
    for level in WARNING_ORDER:
        values = districts[f"n_{level}"].to_list()
        ax.barh(districts["district"].to_list(), values, left=left, color=WARNING_COLORS[level][0],
                label=f"{level}色")
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("专业点数（个）")
    _legend_above(ax)
    return _svg(fig)


TRACK_PARTS = (("declined", "下降", WARNING_COLORS["红"][0]), ("closed", "撤销或停招", CATEGORY_COLORS["prohibited"][1]),
               ("still_flagged", "仍在预警", WARNING_COLORS["黄"][0]),
               ("recovered", "恢复（未下降，本版不预警）", WARNING_COLORS["绿"][0]))


def track_bars(track: pl.DataFrame, labels: dict[str, str], title: str, share: str) -> str:
    """往年预警回溯: per data year, the flagged majors and both baselines as 100 % bars split by what became of
    them (下降, 撤销或停招, 仍在预警, 恢复), the share that declined or closed written at the bar's end."""
    plt = _setup()
    rows = track.filter(pl.col("majors") > 0).sort("years_ago", maintain_order=True)
    names = [f"{r['data_year']}年 {labels[r['method']]}（{r['majors']} 个）" for r in rows.iter_rows(named=True)]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.28 * rows.height + 1.1), layout="constrained")
    left = [0.0] * rows.height
    for column, label, color in TRACK_PARTS:
        values = [100 * r[column] / r["majors"] for r in rows.iter_rows(named=True)]
        ax.barh(names, values, left=left, color=color, label=label)
        left = [a + b for a, b in zip(left, values, strict=True)]
    for i, r in enumerate(rows.iter_rows(named=True)):
        ax.text(101, i, f"{r['decline_share'] * 100:.1f}%", va="center", fontsize=MIN_PT)
    ax.set_xlim(0, 112)
    ax.invert_yaxis()
    ax.set_xlabel(f"{title}（%）；右侧为{share}")
    _legend_above(ax, ncol=4)
    return _svg(fig)

"""``accuracy.png``: accuracy by setting and by context length, with intervals and baselines."""

from __future__ import annotations

from pathlib import Path

from benchmarks.report._paper import paper_by_length, paper_by_setting
from benchmarks.runner import Results
from benchmarks.settings import LENGTHS, SETTINGS, UNMAPPED

__all__ = ["plot_accuracy"]

_PAPER_MODEL = "Claude-Opus-4.5"


def plot_accuracy(results: Results, path: Path) -> Path:
    """Draw the two panels into ``path`` (PNG, matplotlib's Agg backend; no display needed)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 5.5), dpi=100, layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[2.2, 1])
    names = [*SETTINGS, *([UNMAPPED] if UNMAPPED in results.by_setting else [])]
    xs = list(range(len(names)))
    acc = [results.by_setting[s].accuracy if s in results.by_setting else None for s in names]
    heights = [100 * a if a is not None else 0.0 for a in acc]
    cis = [results.by_setting[s].ci95 if s in results.by_setting else None for s in names]
    lo = [
        100 * (a - ci[0]) if a is not None and ci is not None else 0.0
        for a, ci in zip(acc, cis, strict=True)
    ]
    hi = [
        100 * (ci[1] - a) if a is not None and ci is not None else 0.0
        for a, ci in zip(acc, cis, strict=True)
    ]
    ax1.bar(
        xs, heights, yerr=[lo, hi], capsize=3, color="#4C72B0", label=f"{results.reward_model.spec}"
    )
    markers = {"always-A": "_", "always-shorter": "v", "always-longer": "^", "fewer-wrong": "s"}
    for base, marker in markers.items():
        vals = [results.baselines[base].by_setting.get(s) for s in names]
        ys = [100 * v.accuracy if v and v.accuracy is not None else float("nan") for v in vals]
        ax1.scatter(xs, ys, marker=marker, s=60, color="#555555", zorder=3, label=base)
    paper = paper_by_setting(_PAPER_MODEL)
    ax1.scatter(
        xs,
        [100 * paper[s] if s in paper else float("nan") for s in names],
        marker="x",
        s=50,
        color="#C44E52",
        zorder=4,
        label=f"paper: {_PAPER_MODEL} (real data)",
    )
    ax1.axhline(50, color="#999999", lw=0.8, ls="--")
    ax1.set_xticks(xs, names, rotation=35, ha="right", fontsize=8)
    ax1.set_ylim(0, 105)
    ax1.set_ylabel("accuracy (%)")
    ax1.set_title("Accuracy by setting (Wilson 95% CI)")
    ax1.legend(fontsize=7, loc="lower left")

    lens = [k for k in LENGTHS if results.by_length.get(k) and results.by_length[k].n]
    lx = list(range(len(lens)))
    la = [100 * (results.by_length[k].accuracy or 0.0) for k in lens]
    band_lo = [100 * results.by_length[k].ci95[0] for k in lens]  # type: ignore[index]
    band_hi = [100 * results.by_length[k].ci95[1] for k in lens]  # type: ignore[index]
    ax2.plot(lx, la, marker="o", color="#4C72B0", label=results.reward_model.spec)
    if lens:
        ax2.fill_between(lx, band_lo, band_hi, color="#4C72B0", alpha=0.2)
    pl = paper_by_length(_PAPER_MODEL)
    ax2.plot(
        lx,
        [100 * pl[k] if k in pl else float("nan") for k in lens],
        marker="x",
        ls=":",
        color="#C44E52",
        label=f"paper: {_PAPER_MODEL}",
    )
    ax2.axhline(50, color="#999999", lw=0.8, ls="--")
    ax2.set_xticks(lx, lens)
    ax2.set_ylim(0, 105)
    ax2.set_title("Accuracy by context length")
    ax2.legend(fontsize=7, loc="lower left")
    fig.savefig(path, format="png", metadata={"Software": None})
    return path

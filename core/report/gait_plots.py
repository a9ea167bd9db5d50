"""Gait figures (matplotlib, Agg backend, imported lazily). Functions return Figures; saving is I/O."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from core.constants import LEFT_HIP, LEG_LANDMARKS, RIGHT_HIP, SIDES

if TYPE_CHECKING:
    from core.gait.analysis import GaitResult

SIDE_COLOURS = {"left": "tab:blue", "right": "tab:red"}
METHOD_LABELS = {
    "zeni_refined": "pelvis-relative extrema refined to foot contact",
    "zeni": "pelvis-relative extrema (Zeni)",
    "velocity": "foot speed over ground",
}
JOINT_LABELS = {
    "hip": "hip flexion (+) / extension (-) (deg)",
    "knee": "knee flexion (deg)",
    "ankle": "ankle dorsiflexion (+) / plantarflexion (-) (deg)",
}


def _figure(width_in: float, height_in: float) -> Any:
    """A bare Agg ``Figure`` (no pyplot state, no layout engine: margins are set by the caller,
    which costs one draw per save instead of two)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in))


def plot_angle_cycles(result: GaitResult) -> Any:
    """Hip, knee and ankle angles over 0-100 % of the gait cycle: mean +/- SD per side."""
    fig = _figure(14, 4.2)
    axes = fig.subplots(1, 3)
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.12, top=0.86, wspace=0.25)
    for ax, joint in zip(axes, JOINT_LABELS):
        for side in SIDES:
            summary = result.summaries[f"{side}_{joint}"]
            mean, sd, n = summary["mean"], summary["sd"], summary["n"]
            pct = np.linspace(0.0, 100.0, mean.size)
            colour = SIDE_COLOURS[side]
            ax.plot(pct, mean, color=colour, label=f"{side} (n={n} cycles)")
            if n > 1:
                ax.fill_between(pct, mean - sd, mean + sd, color=colour, alpha=0.2)
        ax.axhline(0.0, color="0.6", linewidth=0.7)
        _toe_off_lines(ax, result)
        ax.set_title(joint)
        ax.set_xlabel("gait cycle (% from heel strike)")
        ax.set_ylabel(JOINT_LABELS[joint])
        ax.set_xlim(0, 100)
        ax.legend(loc="best", fontsize=8)
        if all(result.summaries[f"{side}_{joint}"]["n"] == 0 for side in SIDES):
            ax.text(0.5, 0.5, "no complete cycle", ha="center", va="center", transform=ax.transAxes)
    fig.suptitle(f"{result.name or 'recording'}: sagittal joint angles (mean +/- SD)")
    return fig


def _toe_off_lines(ax: Any, result: GaitResult) -> None:
    """A dotted vertical line per side at its mean toe off (= stance %, end of stance)."""
    for side in SIDES:
        stance = (result.parameters.get(side) or {}).get("stance_pct") or {}
        pct = stance.get("mean")
        if pct is not None and np.isfinite(pct):
            ax.axvline(pct, color=SIDE_COLOURS[side], linestyle=":", linewidth=1.2,
                       label=f"{side} toe off ({pct:.0f}%)")


def _pelvis_forward(positions: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """(T,) forward coordinate of the hip midpoint."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mid = np.nanmean(positions[:, [LEFT_HIP, RIGHT_HIP]], axis=1)
    return mid @ forward


def _marker_values(track: np.ndarray, time_s: np.ndarray, times: list[float]) -> np.ndarray:
    return np.interp(times, time_s, track) if times else np.empty(0)


def plot_event_timeline(result: GaitResult) -> Any:
    """Heel/toe forward (relative to the pelvis) and vertical trajectories with HS/TO markers, from
    the positions the events were detected on (bouts turned to one direction, virtual foot points)."""
    s = result.oriented_series
    fwd = result.forward
    pelvis = _pelvis_forward(s.positions, fwd)
    fig = _figure(14, 6.5)
    axes = fig.subplots(2, 2, sharex=True)
    fig.subplots_adjust(left=0.06, right=0.9, bottom=0.08, top=0.91, wspace=0.15, hspace=0.2)  # legends at the right
    rejected = [ev for ev, _ in result.detection.rejected]
    for row, side in enumerate(SIDES):
        idx = LEG_LANDMARKS[side]
        tracks = {
            part: (s.positions[:, idx[part]] @ fwd - pelvis, s.positions[:, idx[part], 1]) for part in ("heel", "toe")
        }
        for col in range(2):
            ax = axes[row, col]
            for start_s, end_s in _not_walking(result.bouts, s.time_s):
                ax.axvspan(start_s, end_s, color="0.92", zorder=0)
            for part, style in (("heel", "-"), ("toe", "--")):
                ax.plot(s.time_s, tracks[part][col], style, color=SIDE_COLOURS[side], label=f"{side} {part}")
            for event, part, marker in (("heel_strike", "heel", "v"), ("toe_off", "toe", "^")):
                times = [e.time_s for e in result.events if e.side == side and e.event == event]
                ax.plot(times, _marker_values(tracks[part][col], s.time_s, times), marker, color="k",
                        linestyle="none", label=event.replace("_", " "))
                bad = [e.time_s for e in rejected if e.side == side and e.event == event]
                ax.plot(bad, _marker_values(tracks[part][col], s.time_s, bad), "x", color="tab:orange",
                        linestyle="none", label=f"rejected {event.replace('_', ' ')}" if bad else None)
            ax.set_title(f"{side} foot: " + ("forward position relative to the pelvis" if col == 0 else "height"))
            ax.set_ylabel(f"{'forward - pelvis' if col == 0 else 'height'} ({s.units})")
            if col == 1:  # beside the panels, never over the traces
                ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7, borderaxespad=0.0)
    for ax in axes[1]:
        ax.set_xlabel("time (s)")
    method = METHOD_LABELS.get(result.detection.method, result.detection.method)
    grey = "; grey = not walking (outside the walking bouts)" if _not_walking(result.bouts, s.time_s) else ""
    fig.suptitle(f"{result.name or 'recording'}: gait events ({method}){grey}")
    return fig


def _not_walking(bouts: list[tuple[int, int]], time_s: np.ndarray) -> list[tuple[float, float]]:
    """(start_s, end_s) of the stretches outside every walking bout (frames [start, end))."""
    n = time_s.size
    walking = np.zeros(n, dtype=bool)
    for start, end in bouts:
        walking[start:min(end, n)] = True
    if not bouts or walking.all():
        return []
    edges = np.flatnonzero(np.diff(np.r_[0, (~walking).astype(int), 0]))
    return [(float(time_s[a]), float(time_s[min(b, n - 1)])) for a, b in zip(edges[::2], edges[1::2])]

"""C3D motion capture -> ``KeypointSeries`` (metres, Y up) and its EVENT group -> ``GaitEvent`` list.

Markers are mapped with ``core.constants.C3D_MARKERS`` (Plug-in Gait, IOR/Leardini, CAST names...).
The vertical axis is found from the body, not from the file's screen settings: it is the axis along
which the hips (else knees, shoulders) lie furthest from the feet (heels, toes, ankles), in median
over the trial; that axis and its sign become +Y by a proper rotation (Z up: (x, y, z) -> (x, z, -y)).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from core.constants import C3D_MARKERS, C3D_PELVIS_MARKERS, LEG_LANDMARKS, NUM_LANDMARKS, SIDES
from core.errors import InputError
from core.io.c3d import C3DData, read_c3d
from core.io.trc import UNIT_TO_METRES, marker_key
from core.types import GaitEvent, KeypointSeries

EVENT_WORDS: dict[str, str] = {"HS": "heel_strike", "FS": "heel_strike", "IC": "heel_strike", "ON": "heel_strike",
                               "FOOTSTRIKE": "heel_strike", "HEELSTRIKE": "heel_strike", "FOOTCONTACT": "heel_strike",
                               "TO": "toe_off", "FO": "toe_off", "OFF": "toe_off", "FOOTOFF": "toe_off",
                               "TOEOFF": "toe_off"}
# Right-handed rotations taking the (axis, sign) that points up to +Y.
_UP_TO_Y: dict[tuple[int, int], np.ndarray] = {
    (1, 1): np.eye(3), (1, -1): np.diag([1.0, -1.0, -1.0]),
    (2, 1): np.array([[1.0, 0, 0], [0, 0, 1], [0, -1, 0]]), (2, -1): np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]]),
    (0, 1): np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]]), (0, -1): np.array([[0.0, 1, 0], [-1, 0, 0], [0, 0, 1]]),
}


def _keys(labels: list[str]) -> list[str]:
    return [marker_key(label.split(":")[-1]) for label in labels]


def _find(keys: list[str], points: np.ndarray, names: tuple[str, ...], side: str) -> int | None:
    """Index of the first of ``names`` (for ``side``) that is in the file with some data."""
    for name in names:
        key = marker_key(name.replace("{S}", side[0].upper()))
        for k, have in enumerate(keys):
            if have == key and np.isfinite(points[:, k]).all(axis=1).any():
                return k
    return None


def map_markers(labels: list[str], points: np.ndarray) -> tuple[np.ndarray, dict[str, str]]:
    """(frames, 33, 3) landmarks in the file's axes and units, and landmark name -> marker label used
    (a "+"-joined pair for a hip from the pelvis markers)."""
    keys = _keys(labels)
    out = np.full((points.shape[0], NUM_LANDMARKS, 3), np.nan)
    used: dict[str, str] = {}
    for side in SIDES:
        for part, names in C3D_MARKERS.items():
            k = _find(keys, points, names, side)
            if k is not None:
                out[:, LEG_LANDMARKS[side][part]] = points[:, k]
                used[f"{side}_{part}"] = labels[k]
        if f"{side}_hip" not in used:
            pelvis = [k for k in (_find(keys, points, (n,), side) for n in C3D_PELVIS_MARKERS) if k is not None]
            if pelvis:
                with np.errstate(invalid="ignore"), np.testing.suppress_warnings() as sup:
                    sup.filter(RuntimeWarning)
                    out[:, LEG_LANDMARKS[side]["hip"]] = np.nanmean(points[:, pelvis], axis=1)
                used[f"{side}_hip"] = "+".join(labels[k] for k in dict.fromkeys(pelvis))
    return out, used


def vertical_axis(landmarks: np.ndarray) -> tuple[int, int]:
    """(axis, sign) of up in the file's axes: where the hips (else knees, shoulders) lie above the feet."""
    def mean_of(parts: tuple[str, ...]) -> np.ndarray:
        idx = [LEG_LANDMARKS[s][p] for s in SIDES for p in parts]
        with np.testing.suppress_warnings() as sup:
            sup.filter(RuntimeWarning)
            return np.nanmean(landmarks[:, idx], axis=1)

    feet = mean_of(("heel", "toe", "ankle"))
    for upper in (("hip",), ("knee",), ("shoulder",)):
        d = mean_of(upper) - feet
        ok = np.isfinite(d).all(axis=1)
        if ok.any():
            median = np.median(d[ok], axis=0)
            axis = int(np.argmax(np.abs(median)))
            return axis, 1 if median[axis] > 0 else -1
    return 2, 1  # no pair to tell: C3D's usual Z up


def _check(positions: np.ndarray, labels: list[str], path: Path) -> None:
    """At least one hip, and one heel or ankle, with data (as ``core.io.trc`` asks)."""
    present = np.isfinite(positions).all(axis=2).any(axis=0)
    legs = [LEG_LANDMARKS[s] for s in SIDES]
    shown = ", ".join(labels[:12]) + ("..." if len(labels) > 12 else "")
    if not any(present[leg["hip"]] for leg in legs):
        raise InputError(f"no hip, trochanter or ASIS/PSIS marker with data (markers: {shown})", path)
    if not any(present[leg["heel"]] or present[leg["ankle"]] for leg in legs):
        raise InputError(f"no heel or ankle marker with data (e.g. RHEE, R.Heel, RCAL, RANK; markers: {shown})", path)


def c3d_series(data: C3DData, path: str | Path = "", name: str = "") -> KeypointSeries:
    """The C3D's markers as a 33-landmark series in metres, Y up (see the module docstring)."""
    path = Path(path)
    unit = data.point_units.lower()
    if unit not in UNIT_TO_METRES:
        raise InputError(f"unknown POINT:UNITS {data.point_units!r} (expected mm, cm or m)", path)
    if data.points.shape[0] < 2:
        raise InputError("C3D file has fewer than 2 frames of point data", path)
    landmarks, used = map_markers(data.labels, data.points)
    _check(landmarks, data.labels, path)
    axis, sign = vertical_axis(landmarks)
    positions = landmarks @ _UP_TO_Y[(axis, sign)].T * UNIT_TO_METRES[unit]
    present = np.isfinite(positions).all(axis=2)
    positions[~present] = np.nan
    time_s = (data.first_frame - 1 + np.arange(positions.shape[0])) / data.point_rate_hz
    up = f"{'+' if sign > 0 else '-'}{'XYZ'[axis]}"
    hips = sorted({used.get(f"{s}_hip", "") for s in SIDES} - {""})
    meta = {"rate_hz": data.point_rate_hz, "source": str(path), "markers": used, "c3d_up_axis": up,
            "c3d_note": f"C3D markers: up axis {up}; hips from {', '.join(hips)}; "
                        f"{len(used)} landmarks from {len(data.labels)} markers"}
    return KeypointSeries(positions=positions, time_s=time_s, confidence=present.astype(float), units="m",
                          name=name or path.stem, is_2d=False, meta=meta)


def event_kind(label: str, context: str) -> tuple[str, str] | None:
    """(side, event) of a C3D event: Vicon's context "Left" + label "Foot Strike", or one code such as
    "RHS", "LTO", "LON", "R_FO"; None for other events."""
    text = f"{context} {label}".upper()
    words = re.sub(r"[^A-Z]", " ", text).split()
    side = next((s for s in SIDES if s.upper() in words), None)
    rest = "".join(w for w in words if w not in ("LEFT", "RIGHT", "GENERAL"))
    if side is None and rest[:1] in ("L", "R") and rest[1:] in EVENT_WORDS:
        side, rest = ("left" if rest[0] == "L" else "right"), rest[1:]
    if side is None and rest[-1:] in ("L", "R") and rest[:-1] in EVENT_WORDS:
        side, rest = ("left" if rest[-1] == "L" else "right"), rest[:-1]
    kind = EVENT_WORDS.get(rest)
    return (side, kind) if side and kind else None


def c3d_events(data: C3DData, n_frames: int, path: str | Path = "") -> list[GaitEvent]:
    """Gait events of the EVENT group, as sample indices of the point data; the same event given twice
    (e.g. "RHS" and "RON" at one time) is kept once. ``InputError`` when it has none."""
    offset = data.first_frame - 1
    seen: dict[tuple[str, str, int], GaitEvent] = {}
    for label, context, time_s in data.events:
        kind = event_kind(label, context)
        frame = int(round(time_s * data.point_rate_hz)) - offset
        if kind is not None and 0 <= frame < n_frames:
            seen.setdefault((*kind, frame), GaitEvent(kind[0], kind[1], frame, float(time_s)))
    if not seen:
        found = sorted({f"{c} {lab}".strip() for lab, c, _ in data.events})[:6]
        raise InputError(f"the C3D EVENT group holds no heel strike or toe off within the recording (events: "
                         f"{', '.join(found) or 'none'})", path)
    return sorted(seen.values(), key=lambda e: e.time_s)


def read_c3d_keypoints(path: str | Path) -> KeypointSeries:
    """Read a C3D file's markers as a ``KeypointSeries`` (metres, Y up)."""
    return c3d_series(read_c3d(path), path)


def read_c3d_events(path: str | Path, series: KeypointSeries) -> list[GaitEvent]:
    """Truth events of a C3D file for ``series`` (its recording): the EVENT group's gait events, else
    the force plates' (``core.io.c3d_forces``; each contact goes to the foot whose heel is lower
    in ``series`` during it)."""
    from core.io.c3d_forces import force_plate_events

    data = read_c3d(path)
    if any(event_kind(label, context) for label, context, _ in data.events):
        return c3d_events(data, series.n_frames, path)
    return force_plate_events(data, series, path)

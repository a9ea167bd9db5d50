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

from core.constants import LEG_LANDMARKS, SIDES
from core.errors import InputError
from core.io.axes import UP_TO_Y, axis_label, vertical_axis
from core.io.c3d import C3DData, read_c3d
from core.io.markers import map_markers
from core.io.trc import UNIT_TO_METRES
from core.types import GaitEvent, KeypointSeries

EVENT_WORDS: dict[str, str] = {"HS": "heel_strike", "FS": "heel_strike", "IC": "heel_strike", "ON": "heel_strike",
                               "FOOTSTRIKE": "heel_strike", "HEELSTRIKE": "heel_strike", "FOOTCONTACT": "heel_strike",
                               "TO": "toe_off", "FO": "toe_off", "OFF": "toe_off", "FOOTOFF": "toe_off",
                               "TOEOFF": "toe_off"}
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
    positions = landmarks @ UP_TO_Y[(axis, sign)].T * UNIT_TO_METRES[unit]
    present = np.isfinite(positions).all(axis=2)
    positions[~present] = np.nan
    time_s = (data.first_frame - 1 + np.arange(positions.shape[0])) / data.point_rate_hz
    up = axis_label(axis, sign)
    hips = sorted({used.get(f"{s}_hip", "") for s in SIDES} - {""})
    meta = {"rate_hz": data.point_rate_hz, "source": str(path), "markers": used, "c3d_up_axis": up,
            "load_note": f"C3D markers: up axis {up}; hips from {', '.join(hips)}; "
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

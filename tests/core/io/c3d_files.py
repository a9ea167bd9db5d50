"""A tiny C3D writer for tests (c3d.org layout): Intel, DEC or MIPS; float or int16 points; analog
channels; EVENT and FORCE_PLATFORM groups. Not a general writer: just enough to build small files."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Sequence

import numpy as np

from core.constants import LEG_LANDMARKS, SIDES


def _floats(values: Sequence[float], processor: int) -> bytes:
    v = np.asarray(values, dtype=np.float32).ravel()
    if processor == 86:
        return v.astype(">f4").tobytes()
    if processor == 85:  # VAX F: IEEE times 4, 16-bit halves swapped
        b = (v * 4).astype("<f4").view(np.uint8).reshape(-1, 4)
        return b[:, [2, 3, 0, 1]].tobytes()
    return v.astype("<f4").tobytes()


def _ints(values: Sequence[int], processor: int) -> bytes:
    return np.asarray(values, dtype=">i2" if processor == 86 else "<i2").ravel().tobytes()


class _Params:
    def __init__(self, processor: int) -> None:
        self.processor = processor
        self.groups: dict[str, int] = {}
        self.records: list[bytes] = []

    def group(self, name: str) -> int:
        if name not in self.groups:
            gid = len(self.groups) + 1
            self.groups[name] = gid
            head = struct.pack("bb", len(name), -gid) + name.encode()
            self.records.append(head + _ints([3], self.processor) + b"\x00")
        return self.groups[name]

    def add(self, group: str, name: str, value: object, kind: str) -> None:
        gid = self.group(group)
        if kind == "char":
            strings = [value] if isinstance(value, str) else list(value)
            width = max([len(s) for s in strings] + [1])
            data = b"".join(s.ljust(width).encode() for s in strings)
            dims, code = ([width] if isinstance(value, str) else [width, len(strings)]), -1
        else:
            arr = np.asarray(value)
            dims = list(reversed(arr.shape))  # C3D dims: first index fastest
            flat = arr.ravel()
            data, code = (_floats(flat, self.processor), 4) if kind == "float" else (_ints(flat, self.processor), 2)
        body = struct.pack("bb", code, len(dims)) + bytes(dims) + data + b"\x00"
        head = struct.pack("bb", len(name), gid) + name.encode()
        self.records.append(head + _ints([2 + len(body)], self.processor) + body)

    def section(self) -> bytes:
        body = b"".join(self.records)
        n_blocks = (4 + len(body) + 2 + 511) // 512
        out = bytes([1, 0x50, n_blocks, self.processor]) + body
        return out + bytes(n_blocks * 512 - len(out))


def write_c3d(
    path: Path, labels: list[str], points: np.ndarray, rate_hz: float, *, units: str = "mm",
    events: Sequence[tuple[str, str, float]] = (), integer_scale: float | None = None, processor: int = 84,
    first_frame: int = 1, analog: np.ndarray | None = None, analog_labels: Sequence[str] = (), ratio: int = 1,
    analog_scale: float = 1.0, analog_offset: int = 0, plates: Sequence[int] = (), split_labels: int = 0,
    trial_fields: bool = False,
) -> Path:
    """Write ``points`` (frames, markers, 3; NaN = missing) as a C3D file.

    ``integer_scale``: int16 points of that scale (else float32). ``events``: (label, context, time_s).
    ``analog``: (frames * ratio, channels) raw values, stored as ``(value / scale) + offset`` so that
    the reader's ``(raw - offset) * scale`` gives them back. ``plates``: the Fz channel (1-based) of
    each type-2 force plate. ``split_labels``: put labels from this index on in POINT:LABELS2.
    ``trial_fields``: the frame range in TRIAL:ACTUAL_START/END_FIELD, the header's last frame garbled
    (as when a long trial overflows its 16 bits).
    """
    n_frames, n_points = points.shape[:2]
    n_analog = 0 if analog is None else analog.shape[1]
    scale = -1.0 if integer_scale is None else integer_scale
    p = _Params(processor)
    p.add("POINT", "USED", n_points, "int")
    p.add("POINT", "SCALE", scale, "float")
    p.add("POINT", "RATE", rate_hz, "float")
    p.add("POINT", "FRAMES", n_frames, "int")
    p.add("POINT", "UNITS", units, "char")
    if split_labels:
        p.add("POINT", "LABELS", labels[:split_labels], "char")
        p.add("POINT", "LABELS2", labels[split_labels:], "char")
    else:
        p.add("POINT", "LABELS", labels, "char")
    if n_analog:
        p.add("ANALOG", "USED", n_analog, "int")
        p.add("ANALOG", "RATE", rate_hz * ratio, "float")
        p.add("ANALOG", "SCALE", [analog_scale] * n_analog, "float")
        p.add("ANALOG", "OFFSET", [analog_offset] * n_analog, "int")
        p.add("ANALOG", "GEN_SCALE", 1.0, "float")
        p.add("ANALOG", "LABELS", list(analog_labels) or [f"A{i + 1}" for i in range(n_analog)], "char")
    if plates:
        p.add("FORCE_PLATFORM", "USED", len(plates), "int")
        p.add("FORCE_PLATFORM", "TYPE", [2] * len(plates), "int")
        p.add("FORCE_PLATFORM", "CHANNEL", [[0, 0, c, 0, 0, 0] for c in plates], "int")
    if trial_fields:
        p.add("TRIAL", "ACTUAL_START_FIELD", [first_frame, 0], "int")
        p.add("TRIAL", "ACTUAL_END_FIELD", [first_frame + n_frames - 1, 0], "int")
    if events:
        p.add("EVENT", "USED", len(events), "int")
        p.add("EVENT", "LABELS", [e[0] for e in events], "char")
        p.add("EVENT", "CONTEXTS", [e[1] for e in events], "char")
        p.add("EVENT", "TIMES", [[0.0, e[2]] for e in events], "float")
    p.add("POINT", "DATA_START", 0, "int")  # a placeholder of the value's size, set once the size is known
    data_block = 2 + len(p.section()) // 512
    p.records[-1] = p.records[-1][:-3] + _ints([data_block], processor) + b"\x00"
    params = p.section()
    header = bytearray(512)
    header[0], header[1] = 2, 0x50
    last = 0 if trial_fields else first_frame + n_frames - 1
    header[2:12] = _ints([n_points, n_analog * ratio, first_frame, last, 10], processor)
    header[12:16] = _floats([scale], processor)
    header[16:20] = _ints([data_block, ratio], processor)
    header[20:24] = _floats([rate_hz], processor)
    missing = ~np.isfinite(points).all(axis=2)
    xyz = np.where(missing[..., None], 0.0, points)
    residual = np.where(missing, -1.0, 0.0)[..., None]
    frames = np.concatenate([xyz, residual], axis=2).reshape(n_frames, -1)
    if integer_scale is not None:
        frames[:, np.arange(frames.shape[1]) % 4 != 3] /= integer_scale
        frames = np.round(frames)
    if n_analog:
        raw = analog / analog_scale + analog_offset
        frames = np.concatenate([frames, raw.reshape(n_frames, ratio * n_analog)], axis=1)
    data = _ints(frames, processor) if integer_scale is not None else _floats(frames, processor)
    path.write_bytes(bytes(header) + params + data)
    return path


def pig_markers(positions_m: np.ndarray, lateral_m: float = 0.1) -> tuple[list[str], np.ndarray]:
    """Plug-in Gait markers (mm, Z up) from 33-landmark positions (metres, Y up, walking in X-Y): hips
    as LASI/LPSI pairs, knee, ankle, heel, toe and shoulder markers, the sides ``lateral_m`` apart."""
    names = {"knee": "KNE", "ankle": "ANK", "heel": "HEE", "toe": "TOE", "shoulder": "SHO"}
    labels, tracks = [], []
    for side in SIDES:
        letter, lateral = side[0].upper(), (-lateral_m if side == "left" else lateral_m)
        hip = positions_m[:, LEG_LANDMARKS[side]["hip"]].copy()
        for name, shift in (("ASI", 0.05), ("PSI", -0.15)):
            labels.append(f"{letter}{name}")
            tracks.append(hip + [shift, 0.1, lateral])
        for part, name in names.items():
            labels.append(f"{letter}{name}")
            tracks.append(positions_m[:, LEG_LANDMARKS[side][part]] + [0.0, 0.0, lateral])
    xyz = np.stack(tracks, axis=1)  # project axes (X forward, Y up, Z lateral) -> C3D Z up: (X, -Z, Y)
    return labels, np.stack([xyz[..., 0], -xyz[..., 2], xyz[..., 1]], axis=2) * 1000.0


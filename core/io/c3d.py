"""C3D motion-capture files (c3d.org): a small pure-numpy reader.

Layout: a 512-byte header block (first parameter block, point count, analog samples per frame, first
and last frame, POINT:SCALE, data start block, frame rate), the parameter section (groups and typed,
multi-dimensional parameters), then one record per frame: X, Y, Z and a residual word per point,
followed by the frame's analog samples (``ratio`` samples of every channel).

Processor types: 84 (Intel: little-endian, IEEE floats), 85 (DEC: little-endian integers, VAX F
floats = IEEE with the 16-bit halves swapped, times 4) and 86 (MIPS: big-endian, IEEE floats).
Points are float32 when POINT:SCALE < 0, else int16 times POINT:SCALE. A negative residual marks a
missing point (NaN); so does an exact (0, 0, 0), which many writers use for a gap. Analog values are
``(raw - OFFSET) * SCALE * GEN_SCALE`` per channel (raw uint16 when ANALOG:FORMAT is UNSIGNED).

Parameter values: numbers as arrays whose shape is the C3D dimensions reversed (EVENT:TIMES, stored
as (2, n), becomes (n, 2): minutes, seconds); characters as a list of strings (one per column of a
2-D character parameter) with trailing blanks removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.errors import InputError

PROCESSORS: dict[int, str] = {84: "Intel", 85: "DEC", 86: "MIPS"}
BLOCK_BYTES = 512


@dataclass(frozen=True)
class C3DData:
    """What a C3D file holds.

    points: (frames, points, 3) in the file's POINT:UNITS, NaN where missing.
    analog: (frames * ratio, channels), scaled (SCALE, GEN_SCALE, OFFSET).
    parameters: group name -> parameter name -> value (upper-case names; see the module docstring).
    events: (label, context, time_s) from the EVENT group (time = minutes * 60 + seconds).
    """

    point_rate_hz: float
    labels: list[str]
    points: np.ndarray
    point_units: str
    first_frame: int
    analog_rate_hz: float
    analog_labels: list[str]
    analog: np.ndarray
    events: list[tuple[str, str, float]]
    processor: str
    parameters: dict[str, dict[str, object]] = field(default_factory=dict)

    def param(self, group: str, name: str, default: object = None) -> object:
        """The value of ``group:name``, or ``default`` when it is absent."""
        return self.parameters.get(group.upper(), {}).get(name.upper(), default)


class _Codec:
    """Byte order and float format of one processor type."""

    def __init__(self, processor: int) -> None:
        self.big = processor == 86
        self.dec = processor == 85
        self.i8, self.i16 = np.dtype("i1"), np.dtype(">i2" if self.big else "<i2")
        self.u16 = np.dtype(">u2" if self.big else "<u2")

    def floats(self, raw: bytes | memoryview, count: int = -1) -> np.ndarray:
        """``count`` 32-bit floats (float64 array) from ``raw``."""
        if self.big:
            return np.frombuffer(raw, ">f4", count).astype(float)
        if not self.dec:
            return np.frombuffer(raw, "<f4", count).astype(float)
        b = np.frombuffer(raw, np.uint8, 4 * count if count >= 0 else -1).reshape(-1, 4)
        return b[:, [2, 3, 0, 1]].copy().view("<f4")[:, 0].astype(float) / 4.0

    def ints(self, raw: bytes | memoryview, count: int = -1, unsigned: bool = False) -> np.ndarray:
        return np.frombuffer(raw, self.u16 if unsigned else self.i16, count).astype(float)


def _int8(byte: int) -> int:
    return byte - 256 if byte > 127 else byte


def _parameter_value(buf: bytes, at: int, kind: int, dims: list[int], codec: _Codec) -> object:
    """One parameter's value starting at byte ``at`` (see the module docstring for the shapes)."""
    count = int(np.prod(dims)) if dims else 1
    if kind == -1:
        text = buf[at:at + count].decode("latin-1")
        if len(dims) < 2:
            return [text.rstrip(" \x00")] if dims else [text]
        width = dims[0]
        if not count:
            return [""] * (int(np.prod(dims[1:])) if width == 0 else 0)
        return [text[i:i + width].rstrip(" \x00") for i in range(0, count, width)]
    size = abs(kind)
    raw = buf[at:at + count * size]
    if len(raw) < count * size:
        raise ValueError("parameter runs past the end of the file")
    if kind == 4:
        values = codec.floats(raw, count)
    elif kind == 2:
        values = codec.ints(raw, count)
    elif kind == 1:
        values = np.frombuffer(raw, np.int8, count).astype(float)
    else:
        raise ValueError(f"unknown parameter type {kind}")
    return values.reshape(tuple(reversed(dims))) if dims else values


def _parse_parameters(buf: bytes, start: int, codec: _Codec) -> dict[str, dict[str, object]]:
    """Group name -> parameter name -> value, from the parameter section starting at byte ``start``."""
    groups: dict[int, str] = {}
    params: dict[int, dict[str, object]] = {}
    at = start + 4
    end = start + BLOCK_BYTES * max(buf[start + 2], 1)
    while at + 2 <= min(end, len(buf)):
        n_chars, group_id = _int8(buf[at]), _int8(buf[at + 1])
        if n_chars == 0:
            break
        name = buf[at + 2:at + 2 + abs(n_chars)].decode("latin-1").strip().upper()
        here = at + 2 + abs(n_chars)
        offset = int(codec.ints(buf[here:here + 2], 1)[0])
        if group_id < 0:
            groups[-group_id] = name
        else:
            kind, n_dims = _int8(buf[here + 2]), buf[here + 3]
            dims = list(buf[here + 4:here + 4 + n_dims])
            params.setdefault(group_id, {})[name] = _parameter_value(buf, here + 4 + n_dims, kind, dims, codec)
        if offset <= 0:
            break
        at = here + offset
    return {groups.get(gid, f"GROUP{gid}"): values for gid, values in params.items()} | {
        name: {} for gid, name in groups.items() if gid not in params}


def _first(params: dict[str, dict[str, object]], group: str, name: str, default: float) -> float:
    value = params.get(group, {}).get(name)
    if value is None or isinstance(value, list) or np.size(value) == 0:
        return default
    return float(np.ravel(value)[0])


def _strings(params: dict[str, dict[str, object]], group: str, stem: str, n: int) -> list[str]:
    """``group:stem``, ``stem2``, ``stem3``... joined (C3D splits more than 255 labels that way)."""
    out: list[str] = []
    for k in range(1, 100):
        value = params.get(group, {}).get(stem if k == 1 else f"{stem}{k}")
        if not isinstance(value, list):
            break
        out += [str(v).strip() for v in value]
    return (out + [f"{stem[:-1] if stem.endswith('S') else stem}{i + 1}" for i in range(len(out), n)])[:n]


def _per_channel(params: dict[str, dict[str, object]], name: str, n: int, default: float) -> np.ndarray:
    value = params.get("ANALOG", {}).get(name)
    if value is None or isinstance(value, list) or np.size(value) == 0:
        return np.full(n, default)
    flat = np.ravel(np.asarray(value, dtype=float))
    return np.concatenate([flat, np.full(max(0, n - flat.size), default)])[:n]


def _events(params: dict[str, dict[str, object]]) -> list[tuple[str, str, float]]:
    ev = params.get("EVENT", {})
    times = ev.get("TIMES")
    if times is None or isinstance(times, list):
        return []
    times = np.asarray(times, dtype=float).reshape(-1, 2) if np.size(times) % 2 == 0 else np.empty((0, 2))
    n = min(int(_first(params, "EVENT", "USED", len(times))), len(times))
    labels = list(ev.get("LABELS") or []) + [""] * n
    contexts = list(ev.get("CONTEXTS") or []) + [""] * n
    return [(str(labels[i]).strip(), str(contexts[i]).strip(), float(times[i, 0] * 60.0 + times[i, 1]))
            for i in range(n)]


def parse_c3d(buf: bytes, path: str | Path = "") -> C3DData:
    """Decode the bytes of a C3D file; ``InputError`` (naming ``path``) when they are not one."""
    try:
        return _parse(buf)
    except InputError as exc:
        raise InputError(exc.reason, path) from exc
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise InputError(f"corrupt or truncated C3D file ({exc})", path) from exc


def _frame_count(params: dict[str, dict[str, object]], first: int, last: int) -> int:
    """Point frames: TRIAL:ACTUAL_START/END_FIELD (two 16-bit words: long trials) else the header's."""
    trial = params.get("TRIAL", {})
    fields = [trial.get("ACTUAL_START_FIELD"), trial.get("ACTUAL_END_FIELD")]
    if all(f is not None and not isinstance(f, list) and np.size(f) == 2 for f in fields):
        lo, hi = ((int(v[0]) & 0xFFFF) + 65536 * (int(v[1]) & 0xFFFF) for v in (np.ravel(f) for f in fields))
        if hi >= lo:
            return hi - lo + 1
    return max(last - first + 1, 0)


def _parse(buf: bytes) -> C3DData:
    if len(buf) < BLOCK_BYTES or buf[1] != 0x50:
        raise InputError("not a C3D file (its second byte must be 0x50)")
    start = BLOCK_BYTES * (buf[0] - 1)
    if buf[0] < 2 or start + 4 > len(buf):
        raise InputError("not a C3D file (no parameter section)")
    processor = buf[start + 3]
    if processor not in PROCESSORS:
        raise InputError(f"unsupported C3D processor type {processor} (expected 84 Intel, 85 DEC or 86 MIPS)")
    codec = _Codec(processor)
    head = np.frombuffer(buf[:24], codec.u16)
    params = _parse_parameters(buf, start, codec)
    rate = _first(params, "POINT", "RATE", float(codec.floats(buf[20:24], 1)[0]))
    if rate <= 0 or not np.isfinite(rate):
        raise InputError(f"POINT:RATE must be > 0, got {rate}")
    n_points = int(_first(params, "POINT", "USED", head[1])) & 0xFFFF
    n_analog = int(_first(params, "ANALOG", "USED", 0)) & 0xFFFF
    ratio = int(head[2]) // n_analog if n_analog else 0
    analog_rate = _first(params, "ANALOG", "RATE", rate * ratio) if n_analog else float("nan")
    if n_analog and not ratio and analog_rate > 0:
        ratio = max(int(round(analog_rate / rate)), 1)
    n_frames = _frame_count(params, int(head[3]), int(head[4]))
    points, analog = _data(buf, params, codec, n_points, n_analog, ratio, n_frames,
                           data_block=int(_first(params, "POINT", "DATA_START", head[8])) & 0xFFFF,
                           scale=_first(params, "POINT", "SCALE", float(codec.floats(buf[12:16], 1)[0])))
    units = str((params.get("POINT", {}).get("UNITS") or ["mm"])[0]).strip() or "mm"
    return C3DData(
        point_rate_hz=float(rate), labels=_strings(params, "POINT", "LABELS", n_points), points=points,
        point_units=units, first_frame=int(head[3]), analog_rate_hz=float(analog_rate),
        analog_labels=_strings(params, "ANALOG", "LABELS", n_analog), analog=analog, events=_events(params),
        processor=PROCESSORS[processor], parameters=params,
    )


def _data(buf: bytes, params: dict[str, dict[str, object]], codec: _Codec, n_points: int, n_analog: int,
          ratio: int, n_frames: int, data_block: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Points (frames, points, 3) with NaN where missing, and scaled analog (frames * ratio, channels)."""
    is_float = scale < 0
    word = 4 if is_float else 2
    width = 4 * n_points + ratio * n_analog
    data_at = BLOCK_BYTES * (data_block - 1)
    if width and data_at + n_frames * width * word > len(buf):
        n_frames = max((len(buf) - data_at) // (width * word), 0)  # truncated: keep the whole frames
    raw = memoryview(buf)[data_at:data_at + n_frames * width * word]
    values = (codec.floats(raw, n_frames * width) if is_float else codec.ints(raw, n_frames * width))
    per_frame = values.reshape(n_frames, width)
    pts = per_frame[:, :4 * n_points].reshape(n_frames, n_points, 4)
    xyz = pts[..., :3] * (1.0 if is_float else abs(scale))
    missing = (np.trunc(pts[..., 3]) < 0) | np.all(xyz == 0.0, axis=2) | ~np.isfinite(xyz).all(axis=2)
    xyz[missing] = np.nan
    if not n_analog:
        return xyz, np.empty((0, 0))
    if not is_float and str((params.get("ANALOG", {}).get("FORMAT") or [""])[0]).upper() == "UNSIGNED":
        per_frame = codec.ints(raw, n_frames * width, unsigned=True).reshape(n_frames, width)
    analog = per_frame[:, 4 * n_points:].reshape(n_frames * ratio, n_analog)
    gain = _per_channel(params, "SCALE", n_analog, 1.0) * _first(params, "ANALOG", "GEN_SCALE", 1.0)
    return xyz, (analog - _per_channel(params, "OFFSET", n_analog, 0.0)) * gain


def read_c3d(path: str | Path) -> C3DData:
    """Read a C3D file (see the module docstring)."""
    path = Path(path)
    try:
        buf = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("C3D file not found", path) from exc
    except IsADirectoryError as exc:
        raise InputError("C3D file is a folder", path) from exc
    except OSError as exc:
        raise InputError(f"cannot read C3D file ({exc})", path) from exc
    return parse_c3d(buf, path)

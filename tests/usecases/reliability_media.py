"""Helpers for the reliability tests: bad and odd media made on the fly, and running the CLI in-process."""

from __future__ import annotations

import contextlib
import io
import json
import re
import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from core.synthetic import GaitParams, simulate_walk
from usecases.gait_analysis.cli import main


# ---------------------------------------------------------------- media

def walk(params: GaitParams) -> tuple[Iterator[np.ndarray], dict]:
    """Frames (BGR, display orientation) of a synthetic walk, and its truth record."""
    from core.synthetic.render import render_frames

    kin, camera, truth = simulate_walk(params)
    return render_frames(kin, camera, params), truth


def background_only(params: GaitParams, from_frame: int = 0) -> Iterator[np.ndarray]:
    """The walk's frames with the walker drawn only before ``from_frame`` (scenery alone afterwards)."""
    from core.synthetic.render import make_scene, render_frames

    kin, camera, _ = simulate_walk(params)
    scene = make_scene(params, camera)
    scroll = camera.scroll_px()
    for i, frame in enumerate(render_frames(kin, camera, params)):
        yield frame if i < from_frame else scene.background.frame(scroll[i])


def write_mp4(path: Path, frames: Iterable[np.ndarray], fps: float, size: tuple[int, int]) -> Path:
    """The project's own MP4 writer (OpenCV, 'moov' index at the end)."""
    from core.io.video_writer import write_video

    write_video(path, frames, fps, size)
    return path


def write_av(
    path: Path, frames: Iterable[np.ndarray], times_s: Iterable[float], rotation_deg: int = 0,
    fmt: str | None = None, codec: str = "mpeg4", time_base: Fraction = Fraction(1, 600),
) -> Path:
    """Encode frames with PyAV at the given timestamps (variable frame rate possible), optionally with a
    display rotation (counter-clockwise degrees, as phones store it)."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format=fmt) as container:
        stream = None
        for frame, t in zip(frames, times_s):
            if stream is None:
                stream = container.add_stream(codec, rate=30)
                stream.height, stream.width = frame.shape[:2]
                stream.pix_fmt = "yuv420p"
                stream.time_base = stream.codec_context.time_base = time_base
                if rotation_deg:
                    stream.set_display_rotation(rotation_deg)
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="bgr24")
            vf.pts, vf.time_base = int(round(t / time_base)), time_base
            container.mux(stream.encode(vf))
        container.mux(stream.encode(None))
    return path


def write_audio_only(path: Path, seconds: float = 1.0) -> Path:
    """An MP4 with one AAC audio track and no video."""
    import av

    rate = 44100
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=rate)
        t = np.arange(int(seconds * rate)) / rate
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for k, start in enumerate(range(0, len(tone) - 1024, 1024)):
            af = av.AudioFrame.from_ndarray(tone[None, start:start + 1024], format="fltp", layout="mono")
            af.sample_rate, af.pts = rate, k * 1024
            container.mux(stream.encode(af))
        container.mux(stream.encode(None))
    return path


def remux_faststart(src: Path, dst: Path) -> Path:
    """Copy an MP4 with its 'moov' index moved to the front (as streaming-friendly files are)."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w", options={"movflags": "faststart"}) as out:
        s_in = inp.streams.video[0]
        s_out = out.add_stream_from_template(s_in)
        for packet in inp.demux(s_in):
            if packet.dts is not None:
                packet.stream = s_out
                out.mux(packet)
    return dst


def zero_frame_durations(src: Path, dst: Path) -> Path:
    """Copy an MP4 with every sample duration in its 'stts' table set to 0 (no usable frame rate)."""
    data = bytearray(src.read_bytes())
    at = data.find(b"stts")
    n_entries = struct.unpack(">I", data[at + 8: at + 12])[0]
    for k in range(n_entries):
        delta = at + 12 + 8 * k + 4
        data[delta: delta + 4] = bytes(4)
    dst.write_bytes(bytes(data))
    return dst


def damage_packets(src: Path, dst: Path, ranks: set[int]) -> Path:
    """Copy ``src`` with the coded bytes of the packets at these decode positions overwritten (a damaged
    recording or copy: the container is intact, the decoder rejects the data)."""
    import av

    data = bytearray(src.read_bytes())
    with av.open(str(src)) as c:
        packets = [(p.pos, p.size) for p in c.demux(c.streams.video[0]) if p.size]
    for k in ranks:
        pos, size = packets[k]
        data[pos + 4: pos + size] = bytes([0xFF]) * (size - 4)
    dst.write_bytes(bytes(data))
    return dst


def truncate(src: Path, dst: Path, fraction: float) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst


def write_trc_from_truth(path: Path, truth: dict) -> Path:
    """The truth landmarks of a synthetic walk as a TRC file (pixels)."""
    from core.io.trc import write_trc
    from core.synthetic import truth_to_series

    series = truth_to_series(truth)
    write_trc(path, series, series.rate_hz, chunk_frames=100)
    return path


def small_config(path: Path, **sections: dict) -> Path:
    """The default profile file with the ``balanced`` profile's sections patched."""
    from core.config import DEFAULT_CONFIG_PATH

    data = json.loads(DEFAULT_CONFIG_PATH.read_text())
    for name, values in sections.items():
        data["profiles"]["balanced"].setdefault(name, {}).update(values)
    path.write_text(json.dumps(data))
    return path


# ---------------------------------------------------------------- running the CLI

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class CliRun:
    code: int
    out: str
    err: str
    output_dir: Path | None

    @property
    def failures(self) -> list[dict]:
        assert self.output_dir is not None
        return json.loads((self.output_dir / "failures.json").read_text())

    def failure(self, source: str | Path) -> dict:
        hits = [f for f in self.failures if f["input"] == str(source)]
        assert len(hits) == 1, f"{source} not once in failures.json: {self.failures}"
        return hits[0]

    def error_lines(self, source: str | Path) -> list[str]:
        """stderr lines about ``source`` (progress-bar cursor codes removed; bars redraw with carriage returns)."""
        text = _ANSI.sub("", self.err)
        return [ln for ln in text.splitlines() if ln.startswith(f"{source}: ")]


def run_cli(argv: list[str]) -> CliRun:
    """``main(argv)`` with stdout/stderr captured (the CLI's log handler binds the stderr of the moment)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    output = Path(argv[argv.index("--output") + 1]) if "--output" in argv else None
    return CliRun(code, out.getvalue(), err.getvalue(), output)


def assert_reported(run: CliRun, source: str | Path, reason: str) -> dict:
    """The handling every bad input gets: one stderr line ``<file>: <reason>`` (no traceback), the reason
    printed only there, the input named in the failure table, an entry in failures.json, and a
    non-zero exit code. Returns the entry."""
    lines = run.error_lines(source)
    assert len(lines) == 1, f"expected one error line for {source}, got {lines}\n{run.err}"
    assert re.search(reason, lines[0]), lines[0]
    assert "Traceback" not in run.err
    assert re.search(rf"^FAILED\s+{re.escape(str(source))}$", run.out, re.M), run.out
    assert not re.search(reason, run.out), f"the reason is printed twice:\n{run.out}"
    entry = run.failure(source)
    assert re.search(reason, entry["error"]), entry
    assert run.code != 0
    return entry


def assert_no_partial_files(folder: Path) -> None:
    """No temporary file of an atomic write is left, and every JSON file parses."""
    leftovers = [p for p in folder.rglob("*") if p.name.endswith(".tmp")]
    assert not leftovers, leftovers
    for p in folder.rglob("*.json"):
        json.loads(p.read_text())

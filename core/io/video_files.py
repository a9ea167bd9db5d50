"""Why a video file cannot be decoded: empty, text, a photo or document, truncated or index-less MP4/MOV,
audio only.

Only the container structure is read (ISO base media boxes), never the coded frames.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

_ISO_TOP_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"pnot", b"meta", b"moof",
                  b"mfra", b"sidx", b"styp", b"pdin", b"prft", b"emsg"}
_MAX_MOOV_BYTES = 64 << 20
_SNIFF_BYTES = 4096
# Leading bytes of files that are often picked up with the videos (a phone's photos, a PDF report, a zip).
_NOT_VIDEO_MAGIC = ((b"\xff\xd8\xff", "a JPEG image"), (b"\x89PNG\r\n\x1a\n", "a PNG image"),
                    (b"GIF8", "a GIF image"), (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive"))
# 'ftyp' brands of HEIF/AVIF still images (an iPhone's photos), which share the MP4 box structure.
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}


def describe_unreadable_video(path: str | Path) -> str | None:
    """A one-phrase reason why ``path`` holds no decodable video, or None when no cause is recognised."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SNIFF_BYTES)
            if not head:
                return "file is empty (0 bytes)"
            kind = _not_video_kind(head)
            if kind is not None:
                return f"not a video: the file is {kind}"
            if _looks_like_text(head):
                return "not a video: the file contains text"
            if head[4:8] in _ISO_TOP_BOXES:
                return _describe_iso(fh, path.stat().st_size)
    except OSError as exc:
        return f"cannot read file ({exc.strerror or exc})"
    return None


def _not_video_kind(head: bytes) -> str | None:
    """What a file that is certainly no video is (from its first bytes), else None."""
    for magic, kind in _NOT_VIDEO_MAGIC:
        if head.startswith(magic):
            return kind
    if head[4:8] == b"ftyp" and head[8:12] in _IMAGE_BRANDS:
        return "an HEIF/AVIF image (a photo)"
    return None


def _looks_like_text(head: bytes) -> bool:
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _top_boxes(fh: BinaryIO, size: int) -> tuple[list[tuple[bytes, int, int]], str | None]:
    """``[(type, offset, box_size)]`` of the top-level boxes, and the type of a box cut off by the end of file."""
    boxes: list[tuple[bytes, int, int]] = []
    offset = 0
    while offset + 8 <= size:
        fh.seek(offset)
        header = fh.read(16)
        box_size, kind = struct.unpack(">I4s", header[:8])
        if box_size == 1 and len(header) == 16:
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:
            box_size = size - offset
        if box_size < 8:
            return boxes, kind.decode("latin-1")
        boxes.append((kind, offset, box_size))
        if offset + box_size > size:
            return boxes, kind.decode("latin-1")
        offset += box_size
    return boxes, None


def _describe_iso(fh: BinaryIO, size: int) -> str | None:
    boxes, cut = _top_boxes(fh, size)
    moov = next(((off, n) for kind, off, n in boxes if kind == b"moov"), None)
    if cut is not None and (moov is None or moov[0] + moov[1] > size):
        return (f"truncated MP4: the file ends inside its '{cut}' box and has no complete 'moov' index "
                "(the recording was interrupted or the copy is incomplete)")
    if moov is None:
        return "incomplete MP4: no 'moov' index (the recording was interrupted or the file is damaged)"
    fh.seek(moov[0])
    handlers = _track_handlers(fh.read(min(moov[1], _MAX_MOOV_BYTES)))
    if b"vide" not in handlers:
        return "no video track (audio only)" if b"soun" in handlers else "no video track"
    if cut is not None:
        return f"truncated MP4: the file ends inside its '{cut}' box"
    return None


def _track_handlers(moov: bytes) -> set[bytes]:
    """Handler types (``vide``, ``soun``, ...) of the ``hdlr`` boxes inside a ``moov`` box."""
    found = set()
    start = moov.find(b"hdlr")
    while start >= 4:
        found.add(moov[start + 12: start + 16])
        start = moov.find(b"hdlr", start + 4)
    return found

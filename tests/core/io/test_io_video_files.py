"""Why a file holds no video: recognised from its first bytes, without decoding."""

from __future__ import annotations

import pytest

from core.io.video_files import describe_unreadable_video


@pytest.mark.parametrize("head, kind", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "a JPEG image"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
    (b"PK\x03\x04\x14\x00\x00\x00", "a ZIP archive"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "an HEIF/AVIF image (a photo)"),
])
def test_photos_and_documents_named_as_videos_are_named(tmp_path, head, kind):
    path = tmp_path / "walk.mp4"
    path.write_bytes(head + bytes(range(256)) * 8)
    assert describe_unreadable_video(path) == f"not a video: the file is {kind}"


def test_an_mp4_header_is_not_taken_for_a_photo(tmp_path):
    path = tmp_path / "walk.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08free")
    assert "photo" not in (describe_unreadable_video(path) or "")
    assert "no 'moov' index" in describe_unreadable_video(path)

import os

import numpy as np
import pytest

from core.io.keypoint_store import (
    KeypointBatch,
    KeypointStoreWriter,
    read_manifest,
    read_store,
    resume_point,
    write_manifest,
)


def make_batch(start: int, n: int, seed: int = 0) -> KeypointBatch:
    rng = np.random.default_rng(seed + start)
    image = rng.uniform(0, 500, (n, 33, 5))
    image[::7] = np.nan
    valid = ~np.isnan(image[:, 0, 0])
    return KeypointBatch(np.arange(start, start + n), np.arange(start, start + n) / 30.0, valid, image, rng.normal(size=(n, 33, 3)))


def write(path, batches, level=6):
    with KeypointStoreWriter(path, level) as w:
        for b in batches:
            w.append(b)
    return w


def test_round_trip_keeps_values_and_missing(tmp_path):
    path = tmp_path / "k.jsonl.gz"
    batches = [make_batch(0, 100), make_batch(100, 100), make_batch(200, 37)]
    w = write(path, batches)
    assert w.write_calls == 3
    got = read_store(path)
    want = KeypointBatch.concat(batches)
    np.testing.assert_array_equal(got.frame, want.frame)
    np.testing.assert_array_equal(got.valid, want.valid)
    np.testing.assert_allclose(got.image, want.image, equal_nan=True)
    np.testing.assert_allclose(got.world, want.world)
    assert np.isnan(got.image[0]).all()
    assert got.scene.shape == (237, 4) and np.isnan(got.scene).all()


def test_scene_shifts_round_trip_and_old_stores_read_as_nan(tmp_path):
    import zlib

    import orjson

    b = make_batch(0, 10)
    scene = np.column_stack([np.arange(10.0), np.zeros(10), np.full(10, 0.9), np.arange(10.0) - 4])
    scene[:4] = np.nan
    path = tmp_path / "k.jsonl.gz"
    write(path, [KeypointBatch(b.frame, b.time_s, b.valid, b.image, b.world, scene)])
    np.testing.assert_allclose(read_store(path).scene, scene, equal_nan=True)
    old = {k: getattr(b, k) for k in ("frame", "time_s", "valid", "image", "world")}
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    (tmp_path / "old.jsonl.gz").write_bytes(comp.compress(orjson.dumps(old, option=orjson.OPT_SERIALIZE_NUMPY))
                                            + comp.flush())
    assert np.isnan(read_store(tmp_path / "old.jsonl.gz").scene).all()


def test_truncated_last_member_is_ignored_and_resumed(tmp_path):
    path = tmp_path / "k.jsonl.gz"
    write(path, [make_batch(0, 100), make_batch(100, 100)])
    n, last, good_end = resume_point(path)
    assert (n, last) == (200, 199)
    size = os.path.getsize(path)
    write_tail = make_batch(200, 100)
    with open(path, "ab") as fh:  # simulate a crash in the middle of the third write
        from core.io.keypoint_store import encode_batch

        fh.write(encode_batch(write_tail, 6)[:-40])
    assert len(read_store(path)) == 200
    n, last, end = resume_point(path)
    assert (n, last, end) == (200, 199, size)
    with KeypointStoreWriter(path, 6, resume_offset=end) as w:
        w.append(write_tail)
    got = read_store(path)
    np.testing.assert_array_equal(got.frame, np.arange(300))


def test_garbage_file_reads_as_empty(tmp_path):
    path = tmp_path / "k.jsonl.gz"
    path.write_bytes(b"this is not gzip")
    assert len(read_store(path)) == 0
    assert resume_point(path) == (0, -1, 0)


def test_manifest_round_trip_and_corrupt_manifest_is_none(tmp_path):
    write_manifest(tmp_path, {"fps": 30.0, "complete": True})
    assert read_manifest(tmp_path)["fps"] == 30.0
    (tmp_path / "keypoints.manifest.json").write_text("{not json")
    assert read_manifest(tmp_path) is None


@pytest.mark.parametrize("level", [1, 9])
def test_compression_level_changes_size_not_content(tmp_path, level):
    path = tmp_path / f"k{level}.gz"
    b = make_batch(0, 200)
    write(path, [b], level)
    np.testing.assert_allclose(read_store(path).image, b.image, equal_nan=True)


def test_batches_out_of_frame_order_read_back_sorted_once(tmp_path):
    path = tmp_path / "k.jsonl.gz"
    write(path, [make_batch(100, 50), make_batch(0, 50), make_batch(150, 30), make_batch(50, 50), make_batch(0, 10)])
    got = read_store(path)
    np.testing.assert_array_equal(got.frame, np.arange(180))  # sorted, the duplicated frames 0-9 once
    assert resume_point(path)[:2] == (180, 179)


def test_foot_patch_shifts_round_trip_and_old_stores_read_as_nan(tmp_path):
    import zlib

    import orjson

    b = make_batch(0, 10)
    feet = np.random.default_rng(3).normal(size=(10, 4, 4))
    feet[:2] = np.nan
    path = tmp_path / "k.jsonl.gz"
    write(path, [KeypointBatch(b.frame, b.time_s, b.valid, b.image, b.world, None, feet)])
    got = read_store(path)
    np.testing.assert_allclose(got.feet, feet, equal_nan=True)
    assert np.isnan(got.scene).all()
    old = {k: getattr(b, k) for k in ("frame", "time_s", "valid", "image", "world", "scene")}
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    (tmp_path / "old.jsonl.gz").write_bytes(comp.compress(orjson.dumps(old, option=orjson.OPT_SERIALIZE_NUMPY))
                                            + comp.flush())
    older = read_store(tmp_path / "old.jsonl.gz")
    assert older.feet.shape == (10, 4, 4) and np.isnan(older.feet).all()

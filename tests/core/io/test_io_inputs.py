import pytest

from core.errors import InputError, OutputLockedError
from core.io.inputs import VIDEO_SUFFIXES, OutputLock, expand_inputs, inside, output_names, safe_name

VIDEO = (".mp4",)


def test_expand_files_folders_globs_and_problems(tmp_path):
    (tmp_path / "a b").mkdir()
    f1 = tmp_path / "a b" / "wälk 1.mp4"
    f1.write_bytes(b"x")
    f2 = tmp_path / "two.mp4"
    f2.write_bytes(b"x")
    (tmp_path / "empty").mkdir()
    found, problems = expand_inputs(
        [str(tmp_path / "a b"), str(tmp_path / "*.mp4"), str(f2), str(tmp_path / "missing.mp4"),
         str(tmp_path / "empty"), str(tmp_path / "*.mov")],
        VIDEO,
    )
    assert found == [f1.resolve(), f2.resolve()]
    reasons = {p.reason for p in problems}
    assert reasons == {"no such file or folder", "folder contains no .mp4 file", "glob matches no file"}


def test_folder_leaves_out_hidden_files_such_as_macos_resource_forks(tmp_path):
    (tmp_path / "walk.MP4").write_bytes(b"x")
    (tmp_path / "._walk.MP4").write_bytes(b"\x00\x05\x16\x07")  # AppleDouble, written by macOS on USB drives
    (tmp_path / "clip.3gp").write_bytes(b"x")
    found, problems = expand_inputs([str(tmp_path)], VIDEO_SUFFIXES)
    assert found == [(tmp_path / "clip.3gp").resolve(), (tmp_path / "walk.MP4").resolve()]
    assert problems == []
    found, _ = expand_inputs([str(tmp_path / "*.MP4")], VIDEO_SUFFIXES)
    assert found == [(tmp_path / "walk.MP4").resolve()]


def test_same_stem_in_two_folders_gets_distinct_names(tmp_path):
    a, b = tmp_path / "x" / "walk.mp4", tmp_path / "y" / "walk.mp4"
    names = output_names([a, b, tmp_path / "other.mp4"])
    assert names[a] != names[b] and names[a].startswith("walk-")
    assert names[tmp_path / "other.mp4"] == "other"


@pytest.mark.parametrize("stem", ["..", "../../etc/passwd", "/abs/path", "a/b", ".hidden", "  "])
def test_names_cannot_escape(tmp_path, stem):
    name = safe_name(stem)
    assert "/" not in name and not name.startswith(".")
    assert inside(tmp_path, name).parent == tmp_path.resolve()


def test_inside_rejects_escape(tmp_path):
    with pytest.raises(InputError, match="outside"):
        inside(tmp_path, "../x")


def test_second_lock_is_refused_with_lock_name(tmp_path):
    with OutputLock(tmp_path):
        with pytest.raises(OutputLockedError, match=".gait_analysis.lock"):
            with OutputLock(tmp_path):
                pass
    with OutputLock(tmp_path):  # released
        pass


def _started_then_sleep(started, seconds: float) -> None:  # noqa: ANN001 - a multiprocessing Event
    import time

    started.set()  # the fork's hooks have run by now
    time.sleep(seconds)


def test_a_forked_child_does_not_keep_its_parents_output_lock(tmp_path):
    # a pose worker forked from the run outlives a kill -9 of it for a moment: the rerun must get the folder
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    lock = OutputLock(tmp_path).__enter__()
    started = ctx.Event()
    child = ctx.Process(target=_started_then_sleep, args=(started, 10.0), daemon=True)
    child.start()
    try:
        assert started.wait(timeout=30)
        lock._fh.close()  # the parent dies without unlocking: only the child's copy could hold the lock now
        with OutputLock(tmp_path):
            assert child.is_alive()
    finally:
        child.terminate()
        child.join()

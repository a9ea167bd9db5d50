import json

import numpy as np

from core.io.people_tracks import PEOPLE_NAME, add_person_block, read_people, review_boxes, write_people


def _write(folder, chosen=2):
    boxes = np.full((2, 3, 4), np.nan)
    boxes[0] = [[10, 10, 50, 90], [20, 10, 60, 90], [30, 10, 70, 90]]
    boxes[1, 1:] = [[500, 0, 600, 100], [500, 0, 600, 100]]
    arrays = {"scan_frames": np.array([0, 10, 20]), "pan_px": np.zeros(3), "track_ids": np.array([1, 2]),
              "boxes": boxes, "path_first_frame": np.array(0), "path_boxes": np.zeros((21, 4))}
    sums = [{"track_id": 2, "travel_px": 0.0, "travel_sizes": 0.0, "reason": "chosen: asked"},
            {"track_id": 1, "travel_px": 20.0, "travel_sizes": 0.25, "reason": "not chosen"}]
    write_people(folder, arrays, {"mode": "2", "roi": None, "chosen_id": chosen, "summaries": sums})


def test_round_trip_and_review_boxes_interpolate_between_scans(tmp_path):
    _write(tmp_path)
    arrays, meta = read_people(tmp_path)
    assert meta["chosen_id"] == 2 and arrays["boxes"].shape == (2, 3, 4)
    chosen, others = review_boxes(tmp_path, 25)
    assert np.isnan(chosen[:10]).all() and np.allclose(chosen[10:21], [500, 0, 600, 100])
    assert np.isnan(chosen[21:]).all()
    assert [tid for tid, _ in others] == [1]
    np.testing.assert_allclose(others[0][1][5], [15, 10, 55, 90])


def test_person_block_is_added_to_the_parameters(tmp_path):
    _write(tmp_path)
    params = tmp_path / "gait_parameters.json"
    params.write_text(json.dumps({"n_strides_used": 7, "walking_speed_m_s": 1.0,
                                  "bouts": [{"start_s": 0.0, "end_s": 6.2}]}))
    add_person_block(params, tmp_path)
    person = json.loads(params.read_text())["person"]
    assert person["chosen_track"] == 2 and person["why"] == "chosen: asked"
    assert person["summary"] == "track 2: walked 6.2 m, 7 strides"
    assert [t["track_id"] for t in person["tracks"]] == [2, 1]


def test_unreadable_people_file_reads_as_absent(tmp_path):
    (tmp_path / PEOPLE_NAME).write_bytes(b"not a zip")
    assert read_people(tmp_path) is None and review_boxes(tmp_path, 5) is None


def test_a_close_call_becomes_a_console_note(tmp_path) -> None:
    from core.constants import RIVAL_WALKER_WORDS
    from core.io.people_tracks import rival_notes, write_people

    arrays = {"scan_frames": np.zeros(1, dtype=np.int64), "pan_px": np.zeros(1), "track_ids": np.array([2, 1]),
              "boxes": np.zeros((2, 1, 4))}
    why = f"chosen: walked 800 px; track 1 {RIVAL_WALKER_WORDS} (700 px): check ..."
    write_people(tmp_path, arrays, {"mode": "auto", "chosen_id": 2, "summaries": [{"track_id": 2, "reason": why}]})
    assert rival_notes(tmp_path) == [f"person: {why}"]
    write_people(tmp_path, arrays, {"mode": "auto", "chosen_id": 2, "summaries": [{"track_id": 2, "reason": "chosen"}]})
    assert rival_notes(tmp_path) == []


def test_the_whole_frame_guard_goes_into_the_why_and_a_console_note(tmp_path):
    from core.io.people_tracks import guard_notes, person_block, record_guard

    _write(tmp_path)
    assert guard_notes(tmp_path) == [] and "refused_poses" not in person_block(tmp_path)
    record_guard(tmp_path, {"refused": 24, "words": "another person may have been in view in frames 60-83"})
    block = person_block(tmp_path)
    assert block["refused_poses"] == 24
    assert block["why"] == "chosen: asked; another person may have been in view in frames 60-83"
    assert guard_notes(tmp_path) == ["person: another person may have been in view in frames 60-83"]
    assert read_people(tmp_path)[1]["chosen_id"] == 2  # the rest of the meta is kept

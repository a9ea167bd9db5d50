import numpy as np
import pytest

from core.errors import ConfigError
from core.pose.roi import Roi, crop_to_frame_px


def test_parse_and_pixel_box():
    roi = Roi.parse("0.25, 0.1, 0.75, 0.9")
    assert roi.pixel_box(1000, 500) == (250, 50, 750, 450)


@pytest.mark.parametrize("text", ["0,0,1", "a,b,c,d", "0.5,0,0.4,1", "-0.1,0,1,1", "0,0,1,1.5"])
def test_bad_roi_is_config_error(text):
    with pytest.raises(ConfigError, match="--roi"):
        Roi.parse(text)


def test_crop_coordinates_map_back_to_full_frame():
    box = (100, 50, 300, 250)  # in a frame downscaled by 0.5
    norm = np.array([[0.0, 0.0, 0.1], [1.0, 1.0, 0.0], [0.5, 0.25, -0.2]])
    px = crop_to_frame_px(norm, box, scale=0.5)
    np.testing.assert_allclose(px[0, :2], [200, 100])
    np.testing.assert_allclose(px[1, :2], [600, 500])
    np.testing.assert_allclose(px[2], [400, 200, -0.2 * 200 / 0.5])

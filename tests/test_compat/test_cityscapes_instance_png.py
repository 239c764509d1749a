"""cityscapesscripts' json2instanceImg writes 16-bit PNGs under Pillow 13."""
import json

import numpy as np
import PIL
import pytest
from mmengine.utils import digit_version
from PIL import Image

from glore_mmseg.compat import cityscapes_instance_png
from tests.conftest import run_python

# Two cars (instances) on a road, as Cityscapes' gtFine polygons store them.
POLYGONS = dict(
    imgHeight=8,
    imgWidth=12,
    objects=[
        dict(label='road', polygon=[[0, 0], [11, 0], [11, 7], [0, 7]]),
        dict(label='car', polygon=[[1, 1], [4, 1], [4, 4], [1, 4]]),
        dict(label='car', polygon=[[7, 2], [10, 2], [10, 5], [7, 5]]),
    ])

CONVERT = ('from cityscapesscripts.preparation.json2instanceImg import '
           'json2instanceImg; import sys; '
           "json2instanceImg(sys.argv[1], sys.argv[2], 'ids')")


@pytest.fixture
def polygon_file(tmp_path):
    path = tmp_path / 'a_gtFine_polygons.json'
    path.write_text(json.dumps(POLYGONS))
    return str(path)


def test_the_converter_writes_16bit_instance_ids(polygon_file, tmp_path):
    from cityscapesscripts.preparation.json2instanceImg import json2instanceImg
    out = str(tmp_path / 'a_gtFine_instanceIds.png')
    json2instanceImg(polygon_file, out)
    with Image.open(out) as image:
        assert image.mode == 'I;16'
        ids = np.asarray(image)
    # car is class 26: instances 26000 and 26001; road (7) has no instances
    assert ids[2, 2] == 26000 and ids[3, 8] == 26001
    assert ids[6, 6] == 7
    assert sorted(np.unique(ids).tolist()) == [7, 26000, 26001]


@pytest.mark.skipif(
    digit_version(PIL.__version__) < digit_version('13.0.0'),
    reason='Pillow < 13 writes mode I PNGs itself')
def test_without_the_fix_pillow_refuses(polygon_file, tmp_path):
    assert 'Pillow' in cityscapes_instance_png.needed()
    result = run_python(
        ['-c', CONVERT, polygon_file,
         str(tmp_path / 'b.png')])
    assert result.returncode != 0
    assert 'cannot write mode I as PNG' in result.stderr


def test_ids_beyond_16_bits_are_refused(tmp_path):
    image = Image.fromarray(np.full((2, 2), 70000, np.int32))
    with pytest.raises(ValueError, match='b.png.* do not fit a 16-bit PNG'):
        cityscapes_instance_png.save_instance_image(image,
                                                    str(tmp_path / 'b.png'))
    tif = str(tmp_path / 'b.tif')
    cityscapes_instance_png.save_instance_image(image, tif)  # as before
    assert np.asarray(Image.open(tif)).max() == 70000

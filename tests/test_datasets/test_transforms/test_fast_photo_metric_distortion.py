"""FastPhotoMetricDistortion gives mmseg's PhotoMetricDistortion output,
bit for bit, with the same random draws."""
import numpy as np
import pytest

from tests.conftest import build_transform


def test_identical_to_stock_for_every_branch():
    image = np.random.default_rng(0).integers(
        0, 256, size=(48, 64, 3), dtype=np.uint8)
    stock = build_transform(dict(type='PhotoMetricDistortion'))
    fast = build_transform(dict(type='FastPhotoMetricDistortion'))
    for seed in range(64):
        np.random.seed(seed)
        ref = stock.transform(dict(img=image.copy()))['img']
        ref_next = np.random.random()
        np.random.seed(seed)
        out = fast.transform(dict(img=image.copy()))['img']
        assert np.random.random() == ref_next, seed
        assert out.dtype == np.uint8 and out.flags.c_contiguous
        assert np.array_equal(out, ref), seed
    flipped = image[:, ::-1]  # RandomFlip's view, as in the pipeline
    np.random.seed(3)
    ref = stock.transform(dict(img=flipped))['img']
    np.random.seed(3)
    assert np.array_equal(fast.transform(dict(img=flipped))['img'], ref)


def test_rejects_what_the_tables_cannot_hold():
    fast = build_transform(dict(type='FastPhotoMetricDistortion'))
    with pytest.raises(ValueError, match='uint8'):
        fast.transform(dict(img=np.zeros((4, 4, 3), np.float32)))

"""FusedRandomResizeCrop against mmseg's RandomResize + RandomCrop under the
same seeds: same draws, scale, crop box and labels; image within 1 level."""
import copy

import cv2
import numpy as np
import pytest

from glore_mmseg.datasets.transforms.fused_resize_crop import (class_counts,
                                                               nearest_indices,
                                                               nearest_window)
from tests.conftest import build_transform, train_infos

SCALE = (256, 128)  # the test images' size, as (2048, 1024) for Cityscapes


def stock_pair(crop_size, cat_max_ratio, ratio_range=(0.5, 2.0)):
    resize = build_transform(
        dict(type='RandomResize', scale=SCALE, ratio_range=ratio_range,
             keep_ratio=True))
    crop = build_transform(
        dict(type='RandomCrop', crop_size=crop_size,
             cat_max_ratio=cat_max_ratio))
    return lambda results: crop(resize(results))


def fused(crop_size, cat_max_ratio, ratio_range=(0.5, 2.0)):
    return build_transform(
        dict(type='FusedRandomResizeCrop', scale=SCALE,
             ratio_range=ratio_range, crop_size=crop_size,
             cat_max_ratio=cat_max_ratio))


@pytest.fixture(scope='module')
def loaded(photo_cityscapes_root):
    """Stock-loaded image and labels of the photo-texture images."""
    load_img = build_transform(dict(type='LoadImageFromFile'))
    load_ann = build_transform(dict(type='LoadAnnotations'))
    return [load_ann(load_img(info))
            for info in train_infos(photo_cityscapes_root)]


def run_seeded(transform, results, seed):
    np.random.seed(seed)
    out = transform(copy.deepcopy(results))
    return out, np.random.random()  # the next draw: same count of draws


@pytest.mark.parametrize('crop_size', [(64, 128), (200, 400)])
def test_same_draws_scale_crop_and_labels_as_stock(loaded, crop_size):
    stock, fast = stock_pair(crop_size, 0.75), fused(crop_size, 0.75)
    for seed in range(24):
        results = loaded[seed % len(loaded)]
        ref, ref_next = run_seeded(stock, results, seed)
        out, out_next = run_seeded(fast, results, seed)
        assert out_next == ref_next, seed
        for key in ('scale', 'scale_factor', 'keep_ratio', 'img_shape'):
            assert out[key] == ref[key], (seed, key)
        assert out['gt_seg_map'].shape == ref['gt_seg_map'].shape
        assert np.array_equal(out['gt_seg_map'], ref['gt_seg_map']), seed
        diff = np.abs(out['img'].astype(int) - ref['img'])
        assert out['img'].dtype == np.uint8
        assert diff.max() <= 1 and diff.mean() < 0.25, seed


def test_cat_max_ratio_retries_like_stock(loaded):
    """Seeds whose first box is dominated by one class retry, as stock."""
    fast_any, fast_ratio = fused((64, 128), 1.0), fused((64, 128), 0.5)
    retried = 0
    for seed in range(24):
        results = loaded[seed % len(loaded)]
        ref, ref_next = run_seeded(stock_pair((64, 128), 0.5), results, seed)
        out, out_next = run_seeded(fast_ratio, results, seed)
        assert out_next == ref_next
        assert np.array_equal(out['gt_seg_map'], ref['gt_seg_map'])
        first, _ = run_seeded(fast_any, results, seed)
        retried += not np.array_equal(first['gt_seg_map'], out['gt_seg_map'])
    assert retried >= 3


def test_nearest_window_is_opencvs_nearest_resize():
    rng = np.random.default_rng(0)
    for _ in range(30):
        h, w = rng.integers(5, 300, size=2)
        new_h, new_w = rng.integers(5, 600, size=2)
        seg = rng.integers(0, 256, size=(h, w), dtype=np.uint8)
        full = cv2.resize(seg, (int(new_w), int(new_h)),
                          interpolation=cv2.INTER_NEAREST)
        y1, x1 = rng.integers(0, new_h), rng.integers(0, new_w)
        y2, x2 = rng.integers(y1, new_h) + 1, rng.integers(x1, new_w) + 1
        box = (int(y1), int(y2), int(x1), int(x2))
        window = nearest_window(seg, (int(new_w), int(new_h)), box)
        assert np.array_equal(window, full[y1:y2, x1:x2])
    assert list(nearest_indices(0, 4, 2, 4)) == [0, 0, 1, 1]


def test_class_counts_equal_unique_counts():
    labels = np.random.default_rng(1).integers(
        0, 256, size=(64, 96)).astype(np.uint8)
    values, counts = np.unique(labels, return_counts=True)
    expected = np.zeros(256, np.int64)
    expected[values] = counts
    assert np.array_equal(class_counts(labels), expected)
    assert np.array_equal(class_counts(labels.astype(np.int32)), expected)


def test_cat_max_ratio_needs_the_labels(loaded):
    results = {k: v for k, v in loaded[0].items() if k != 'gt_seg_map'}
    results['seg_fields'] = []
    with pytest.raises(KeyError, match='load annotations before it'):
        fused((64, 128), 0.75)(results)
    with pytest.raises(ValueError, match='crop_size'):
        fused((0, 128), 0.75)


def test_ignored_pixels_do_not_count_as_a_class(loaded):
    """Mostly-ignore crops pass when the rest is mixed, as in stock."""
    results = copy.deepcopy(loaded[0])
    seg = results['gt_seg_map']
    seg[:int(seg.shape[0] * 0.7)] = 255
    seg[int(seg.shape[0] * 0.7):, ::2] = 7
    for seed in range(12):
        ref, ref_next = run_seeded(stock_pair((64, 128), 0.75), results, seed)
        out, out_next = run_seeded(fused((64, 128), 0.75), results, seed)
        assert out_next == ref_next, seed
        assert np.array_equal(out['gt_seg_map'], ref['gt_seg_map']), seed


def test_without_keep_ratio_and_with_two_scale_bounds(loaded):
    scales = [(200, 100), (400, 300)]  # RandomResize samples w, h in these
    stock_resize = build_transform(
        dict(type='RandomResize', scale=scales, keep_ratio=False))
    stock_crop = build_transform(
        dict(type='RandomCrop', crop_size=(96, 160), cat_max_ratio=0.75))
    fast = build_transform(
        dict(type='FusedRandomResizeCrop', scale=scales, keep_ratio=False,
             crop_size=(96, 160), cat_max_ratio=0.75))
    for seed in range(8):
        ref, ref_next = run_seeded(
            lambda r: stock_crop(stock_resize(r)), loaded[0], seed)
        out, out_next = run_seeded(fast, loaded[0], seed)
        assert out_next == ref_next
        assert out['scale_factor'] == ref['scale_factor']
        assert out['keep_ratio'] is ref['keep_ratio'] is False
        assert np.array_equal(out['gt_seg_map'], ref['gt_seg_map'])
        assert np.abs(out['img'].astype(int) - ref['img']).max() <= 1

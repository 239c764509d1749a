"""The context-cue task: only the far band tells the squares' class."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS
from PIL import Image

from glore_mmseg.datasets import (CONTEXT_CUE_CLASSES,
                                  make_context_cue_cityscapes)
from glore_mmseg.datasets.context_cue import (CUE_COLOURS, SQUARE_COLOUR,
                                              context_cue_scene,
                                              cue_band_width,
                                              object_zone_start,
                                              render_context_cue)

CAR, TRUCK, BUILDING, ROAD = 13, 14, 2, 0  # Cityscapes trainIds


@pytest.fixture(scope='module')
def cue_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('cue') / 'context_cue')
    make_context_cue_cityscapes(root, {'train': 8, 'val': 2}, seed=3)
    return root


def pairs(root, split='train'):
    """(RGB image, trainId label) of every image of ``split``."""
    out = []
    for path in sorted(
            glob.glob(osp.join(root, 'leftImg8bit', split, '*', '*.png'))):
        label = path.replace('leftImg8bit', 'gtFine', 1).replace(
            '_leftImg8bit.png', '_gtFine_labelTrainIds.png')
        out.append((np.asarray(Image.open(path)).astype(np.float64),
                    np.asarray(Image.open(label))))
    return out


def test_layout_geometry_and_colours(cue_root):
    data = pairs(cue_root)
    assert len(data) == 8 and len(pairs(cue_root, 'val')) == 2
    band, zone = cue_band_width(320), object_zone_start(320)
    assert (band, zone) == (64, 224)
    square_means = {CAR: [], TRUCK: []}
    for image, label in data:
        assert image.shape == (64, 320, 3)
        assert (label[:, :band] == BUILDING).all()
        assert set(np.unique(label[:, band:zone])) == {ROAD}
        classes = set(np.unique(label)) & {CAR, TRUCK}
        assert len(classes) == 1
        square = classes.pop()
        # the band's colour is the squares' class
        band_mean = image[:, :band].reshape(-1, 3).mean(0)
        assert np.abs(band_mean - CUE_COLOURS['car' if square == CAR else
                                              'truck']).max() < 5
        square_means[square].append(image[label == square].mean(0))
    # both classes present, alternating: half of the images each
    assert len(square_means[CAR]) == len(square_means[TRUCK]) == 4
    # and their squares look the same: the class is not in their pixels
    for means in square_means.values():
        assert np.abs(np.mean(means, 0) - SQUARE_COLOUR).max() < 3


def test_same_seed_same_files(cue_root, tmp_path):
    other = str(tmp_path / 'again')
    make_context_cue_cityscapes(other, {'train': 8, 'val': 2}, seed=3)
    for (a, la), (b, lb) in zip(pairs(cue_root), pairs(other)):
        assert np.array_equal(a, b) and np.array_equal(la, lb)


def test_mmseg_reads_the_four_classes(cue_root):
    init_default_scope('mmseg')
    dataset = DATASETS.build(
        dict(
            type='CityscapesDataset',
            data_root=cue_root,
            metainfo=dict(classes=CONTEXT_CUE_CLASSES),
            data_prefix=dict(
                img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='LoadAnnotations'),
                dict(type='PackSegInputs')
            ]))
    assert dataset.metainfo['classes'] == CONTEXT_CUE_CLASSES
    seen = set()
    for i in range(len(dataset)):
        seg = dataset[i]['data_samples'].gt_sem_seg.data.numpy()
        values = set(np.unique(seg))
        assert {0, 1} <= values and len(values & {2, 3}) == 1
        seen |= values
    assert seen == {0, 1, 2, 3}


def test_bad_input_is_named():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match='bus'):
        context_cue_scene(rng, 320, 64, 'bus')
    with pytest.raises(ValueError, match='too small'):
        context_cue_scene(rng, 4, 64, 'car')
    both = np.full((8, 8), 26, dtype=np.uint8)  # car labelId
    both[0, 0] = 27  # truck labelId
    with pytest.raises(ValueError, match='exactly one'):
        render_context_cue(both, rng)

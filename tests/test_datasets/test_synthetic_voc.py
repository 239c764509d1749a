"""The synthetic Pascal VOC 2012 + aug: VOC's and mmseg's converter's
layout, read by mmseg's PascalVOCDataset as pascal_voc12_aug.py does."""
import os.path as osp

import mmseg
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.datasets import PascalVOCDataset
from mmseg.registry import DATASETS
from PIL import Image

from glore_mmseg.datasets import CheckSegMap, make_synthetic_voc
from glore_mmseg.datasets.synthetic_voc import VOID_COLOUR, voc_colour_map

LOAD = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]


def names(root, image_set):
    with open(osp.join(root, 'ImageSets', 'Segmentation',
                       f'{image_set}.txt')) as f:
        return f.read().split()


def test_colour_map_is_voc_s():
    colours = voc_colour_map()
    assert colours[:21].tolist() == PascalVOCDataset.METAINFO['palette']
    assert tuple(colours[255]) == VOID_COLOUR


def test_image_sets_and_files(voc_root):
    train, val, aug = (names(voc_root, s) for s in ('train', 'val', 'aug'))
    assert (len(train), len(val), len(aug)) == (2, 2, 2)
    assert not set(aug) & (set(train) | set(val))
    assert names(voc_root, 'trainval') == train + val
    assert names(voc_root, 'trainaug') == train + aug
    for name in train + val + aug:
        voc = osp.join(voc_root, 'SegmentationClass', f'{name}.png')
        sbd = osp.join(voc_root, 'SegmentationClassAug', f'{name}.png')
        assert osp.isfile(osp.join(voc_root, 'JPEGImages', f'{name}.jpg'))
        assert osp.isfile(voc) == (name not in aug)
        assert osp.isfile(sbd) == (name not in val)
        if name in train:  # the same objects, VOC's with void borders
            with Image.open(voc) as a, Image.open(sbd) as b:
                assert (a.mode, b.mode) == ('P', 'L')
                assert a.getpalette()[3:6] == [128, 0, 0]
                voc_label, sbd_label = np.asarray(a), np.asarray(b)
            assert (voc_label == 255).any() and (sbd_label < 21).all()
            kept = voc_label != 255
            assert np.array_equal(voc_label[kept], sbd_label[kept])


def test_mmseg_reads_both_training_parts(voc_root):
    cfg = Config.fromfile(
        osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs', '_base_',
                 'datasets', 'pascal_voc12_aug.py')).train_dataloader
    init_default_scope('mmseg')
    parts = []
    for part in cfg.dataset.datasets:
        part.update(data_root=voc_root, pipeline=LOAD)
        parts.append(DATASETS.build(part))
    train, aug = parts
    assert [len(train), len(aug)] == [2, 2]
    check = CheckSegMap(num_classes=21, ignore_index=255)
    for dataset in parts:
        for i in range(len(dataset)):
            results = dataset[i]
            values = set(np.unique(results['gt_seg_map']).tolist())
            assert 0 in values and values <= set(range(21)) | {255}
            assert check.find_problem(results) is None
    assert osp.basename(aug[0]['seg_map_path']) == \
        f"{names(voc_root, 'aug')[0]}.png"


def test_unknown_split_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"got \['trainaug'\]"):
        make_synthetic_voc(str(tmp_path), {'trainaug': 1})

"""The synthetic Pascal Context 59: mmseg's converter's layout, read by
mmseg's PascalContextDataset59 with its reduce_zero_label."""
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS
from PIL import Image

from glore_mmseg.datasets import CheckSegMap, make_synthetic_pascal_context


def context_set(root, split):
    init_default_scope('mmseg')
    return DATASETS.build(
        dict(
            type='PascalContextDataset59',
            data_root=root,
            data_prefix=dict(
                img_path='JPEGImages',
                seg_map_path='SegmentationClassContext'),
            ann_file=f'ImageSets/SegmentationContext/{split}.txt',
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='LoadAnnotations')
            ]))


def test_layout(pascal_context_root):
    lists = {}
    for split in ('train', 'val'):
        with open(osp.join(pascal_context_root, 'ImageSets',
                           'SegmentationContext', f'{split}.txt')) as f:
            lists[split] = f.read().split()
        assert lists[split] == sorted(lists[split])
    assert (len(lists['train']), len(lists['val'])) == (4, 2)
    names = lists['train'] + lists['val']
    assert sorted(os.listdir(osp.join(pascal_context_root,
                                      'JPEGImages'))) == [
        f'{name}.jpg' for name in names
    ]
    stored = []
    for name in names:
        with Image.open(
                osp.join(pascal_context_root, 'SegmentationClassContext',
                         f'{name}.png')) as label:
            assert (label.mode, label.size) == ('L', (128, 96))
            stored.append(np.asarray(label))
    stored = np.stack(stored)
    assert stored.max() <= 59 and (stored == 0).any()  # background


def test_mmseg_reads_it_with_reduce_zero_label(pascal_context_root):
    check = CheckSegMap(num_classes=59, ignore_index=255)
    for split, count in (('train', 4), ('val', 2)):
        dataset = context_set(pascal_context_root, split)
        assert len(dataset) == count
        for i in range(count):
            results = dataset[i]
            stored = np.asarray(Image.open(results['seg_map_path']))
            gt = results['gt_seg_map']
            assert np.array_equal(gt == 255, stored == 0)
            assert np.array_equal(gt[stored > 0], stored[stored > 0] - 1)
            assert check.find_problem(results) is None


def test_unknown_split_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"got \['test'\]"):
        make_synthetic_pascal_context(str(tmp_path), {'test': 1})

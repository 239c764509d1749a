"""The synthetic ADE20K: the release's layout, read by mmseg's
ADE20KDataset with its reduce_zero_label, and checked by CheckSegMap."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS
from PIL import Image

from glore_mmseg.datasets import (CheckSegMap, SegMapError,
                                  make_synthetic_ade20k)
from tests.conftest import put_label_value


def ade_set(root, split='training', pipeline=()):
    init_default_scope('mmseg')
    return DATASETS.build(
        dict(
            type='ADE20KDataset',
            data_root=root,
            data_prefix=dict(
                img_path=f'images/{split}',
                seg_map_path=f'annotations/{split}'),
            pipeline=list(pipeline)))


LOAD = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]


def test_layout_and_stored_values(ade20k_root):
    for split, prefix, count in (('training', 'ADE_train_', 4),
                                 ('validation', 'ADE_val_', 2)):
        images = sorted(
            glob.glob(osp.join(ade20k_root, 'images', split, '*')))
        assert [osp.basename(p) for p in images] == [
            f'{prefix}{i:08d}.jpg' for i in range(1, count + 1)
        ]
        for image in images:
            label = image.replace('/images/', '/annotations/')[:-4] + '.png'
            with Image.open(image) as img, Image.open(label) as seg:
                assert (img.format, img.size) == ('JPEG', (128, 96))
                assert (seg.mode, seg.size) == ('L', (128, 96))
                values = np.asarray(seg)
            assert values.max() <= 150
            assert (values == 0).any()  # unlabelled borders


def test_mmseg_reads_it_with_reduce_zero_label(ade20k_root):
    dataset = ade_set(ade20k_root, pipeline=LOAD)
    assert len(dataset) == 4
    results = dataset[0]
    stored = np.asarray(Image.open(results['seg_map_path']))
    gt = results['gt_seg_map']
    assert results['reduce_zero_label'] is True
    assert np.array_equal(gt == 255, stored == 0)
    assert np.array_equal(gt[stored > 0], stored[stored > 0] - 1)
    assert len(ade_set(ade20k_root, 'validation')) == 2


def test_label_check_accepts_the_unlabelled_pixels(ade20k_root):
    check = CheckSegMap(num_classes=150, ignore_index=255)
    dataset = ade_set(ade20k_root, pipeline=LOAD)
    for i in range(len(dataset)):
        assert check.find_problem(dataset[i]) is None


def test_label_check_names_a_stored_value_above_150(ade20k_root, tmp_path):
    import shutil
    root = str(tmp_path / 'ADEChallengeData2016')
    shutil.copytree(ade20k_root, root)
    dataset = ade_set(root, pipeline=LOAD)
    label = dataset.get_data_info(2)['seg_map_path']
    put_label_value(label, 151)
    with pytest.raises(SegMapError, match=r'label values \[151\] '
                       r'\(reduce_zero_label: class = value - 1\)'):
        CheckSegMap(num_classes=150)(dataset[2])


def test_same_seed_same_files_and_split_names(tmp_path):
    a = make_synthetic_ade20k(str(tmp_path / 'a'), {'validation': 2},
                              image_size=(64, 48), seed=5)
    b = make_synthetic_ade20k(str(tmp_path / 'b'), {'validation': 2},
                              image_size=(64, 48), seed=5)
    assert a == b == {'validation': ['ADE_val_00000001', 'ADE_val_00000002']}
    for path in glob.glob(str(tmp_path / 'a' / '*' / '*' / '*')):
        other = path.replace(str(tmp_path / 'a'), str(tmp_path / 'b'))
        assert open(path, 'rb').read() == open(other, 'rb').read()
    with pytest.raises(ValueError, match="splits are.*'training'.*got "
                       r"\['train'\]"):
        make_synthetic_ade20k(str(tmp_path / 'c'), {'train': 1})

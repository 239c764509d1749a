"""The synthetic CUB-200-2011 is read by mmpretrain's own CUB class."""
import collections
import os.path as osp

import numpy as np
import pytest
from mmpretrain.datasets import CUB
from mmpretrain.datasets.categories import CUB_CATEGORIES
from PIL import Image

from glore_mmseg.datasets import make_synthetic_cub
from glore_mmseg.datasets.synthetic_cub import class_folder, part_colours


def test_mmpretrain_cub_reads_counts_labels_and_files(tmp_path):
    root = str(tmp_path / 'CUB_200_2011')
    counts = make_synthetic_cub(root, num_classes=3,
                                per_class={'train': 4, 'test': 2},
                                image_size=(40, 30))
    assert counts == {'train': 12, 'test': 6}
    for split, per_class in (('train', 4), ('test', 2)):
        dataset = CUB(data_root=root, split=split)
        assert len(dataset) == counts[split]
        labels = [dataset.get_data_info(i)['gt_label']
                  for i in range(len(dataset))]
        assert collections.Counter(labels) == {0: per_class, 1: per_class,
                                               2: per_class}
        for i in range(len(dataset)):
            info = dataset.get_data_info(i)
            # The folder names the class of the label, as in the real set.
            folder = osp.basename(osp.dirname(info['img_path']))
            assert folder == class_folder(info['gt_label'])
            assert folder.endswith(dataset.metainfo['classes'][
                info['gt_label']])
        with Image.open(dataset.get_data_info(0)['img_path']) as image:
            assert image.size == (40, 30)
    with open(osp.join(root, 'classes.txt')) as f:
        assert f.read().splitlines() == [
            '1 001.Black_footed_Albatross', '2 002.Laysan_Albatross',
            '3 003.Sooty_Albatross'
        ]
    with open(osp.join(root, 'train_test_split.txt')) as f:
        flags = [line.split()[1] for line in f.read().splitlines()]
    assert flags == (['1'] * 4 + ['0'] * 2) * 3


def test_same_seed_same_files_other_seed_other_images(tmp_path):
    paths = []
    for name, seed in (('a', 0), ('b', 0), ('c', 1)):
        root = str(tmp_path / name)
        make_synthetic_cub(root, num_classes=1,
                           per_class={'train': 1, 'test': 0}, seed=seed)
        paths.append(osp.join(root, 'images', class_folder(0),
                              f'{CUB_CATEGORIES[0]}_0001.jpg'))
    a, b, c = (np.asarray(Image.open(p)) for p in paths)
    assert (a == b).all() and not (a == c).all()


def test_every_class_has_its_own_colour_pair():
    pairs = [part_colours(label) for label in range(200)]
    assert len(set(pairs)) == 200
    assert all(body != head for body, head in pairs)


@pytest.mark.parametrize('kwargs,message', [
    (dict(num_classes=0), r'num_classes must be in 1..200, got 0'),
    (dict(num_classes=201), r'num_classes must be in 1..200, got 201'),
    (dict(per_class={'val': 2}), "per_class takes counts"),
    (dict(per_class={'train': -1}), "per_class takes counts"),
])
def test_bad_arguments_are_named(kwargs, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        make_synthetic_cub(str(tmp_path), **kwargs)

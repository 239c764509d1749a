"""A small synthetic ADE20K (MIT Scene Parsing) in its release's layout.

Layout of ``ADEChallengeData2016.zip`` as released, which mmseg's
``ADE20KDataset`` reads without conversion (``data_root`` is the
``ADEChallengeData2016`` folder)::

    root/images/training/ADE_train_<i:08d>.jpg
    root/annotations/training/ADE_train_<i:08d>.png
    root/images/validation/ADE_val_<i:08d>.jpg
    root/annotations/validation/ADE_val_<i:08d>.png

Annotations are greyscale PNGs storing 0 for unlabelled pixels ("other
objects", here the one-pixel borders between regions) and ``1..150`` for
the classes; mmseg reads them with ``reduce_zero_label`` (class = value - 1,
0 becomes the ignore index 255).
"""
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np

from .synthetic_scenes import (checked_splits, class_values, palette_of,
                               random_sample, region_borders, save_jpeg,
                               save_label)

#: The folder and file name of each split (``training`` -> ``ADE_train_``).
SPLIT_PREFIXES = {'training': 'ADE_train_', 'validation': 'ADE_val_'}
STUFF = ('wall', 'building', 'sky', 'floor', 'tree', 'ceiling', 'road',
         'grass', 'sidewalk', 'earth')


def make_synthetic_ade20k(root: str,
                          splits: Dict[str, int] = None,
                          image_size: Tuple[int, int] = (320, 240),
                          seed: int = 0) -> Dict[str, List[str]]:
    """Write a synthetic ADE20K.

    Args:
        root: Data root (the ``ADEChallengeData2016`` folder).
        splits: Images per split folder, ``training`` and/or
            ``validation``; default ``{'training': 8, 'validation': 4}``.
        image_size: (width, height) of every image.
        seed: Random seed; the same seed writes the same files.

    Returns:
        The file stems written, per split.
    """
    from mmseg.datasets import ADE20KDataset
    splits = checked_splits(splits, {'training': 8, 'validation': 4},
                            'ADE20K')
    classes = ADE20KDataset.METAINFO['classes']
    palette = palette_of(ADE20KDataset.METAINFO['palette'], first_value=1)
    stuff = class_values(classes, STUFF, first_value=1)
    things = tuple(range(1, len(classes) + 1))
    rng = np.random.default_rng(seed)
    written: Dict[str, List[str]] = {}
    for split, count in splits.items():
        written[split] = [
            f'{SPLIT_PREFIXES[split]}{i:08d}' for i in range(1, count + 1)
        ]
        for stem in written[split]:
            label, image = random_sample(rng, image_size, stuff, things,
                                         palette)
            label[region_borders(label)] = 0  # unlabelled
            save_jpeg(image, osp.join(root, 'images', split, f'{stem}.jpg'))
            save_label(label,
                       osp.join(root, 'annotations', split, f'{stem}.png'))
    return written

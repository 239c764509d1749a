"""A small synthetic Pascal Context (59 classes) in mmseg's prepared layout.

The layout mmseg's converter (``tools/dataset_converters/pascal_context.py``,
from the VOC2010 images and ``trainval_merged.json``) writes, which mmseg's
``PascalContextDataset59`` reads (``data_root`` is ``VOCdevkit/VOC2010``)::

    root/JPEGImages/<name>.jpg
    root/SegmentationClassContext/<name>.png
    root/ImageSets/SegmentationContext/train.txt   one <name> a line, sorted
    root/ImageSets/SegmentationContext/val.txt

Labels are greyscale PNGs storing 0 for the background (pixels of none of
the 59 classes) and ``1..59`` for the classes; mmseg reads them with
``reduce_zero_label`` (class = value - 1, 0 becomes the ignore index 255).
"""
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np

from .synthetic_scenes import (checked_splits, class_values, palette_of,
                               random_sample, save_jpeg, save_label,
                               write_name_list)

STUFF = ('sky', 'grass', 'ground', 'road', 'wall', 'floor', 'building',
         'tree', 'water', 'mountain')


def make_synthetic_pascal_context(root: str,
                                  splits: Dict[str, int] = None,
                                  image_size: Tuple[int, int] = (320, 240),
                                  seed: int = 0) -> Dict[str, List[str]]:
    """Write a synthetic Pascal Context 59.

    Args:
        root: Data root (the ``VOC2010`` folder).
        splits: Images per split, ``train`` and/or ``val``; default
            ``{'train': 8, 'val': 4}``.
        image_size: (width, height) of every image.
        seed: Random seed; the same seed writes the same files.

    Returns:
        The image names written, per split.
    """
    from mmseg.datasets import PascalContextDataset59
    splits = checked_splits(splits, {'train': 8, 'val': 4}, 'Pascal Context')
    metainfo = PascalContextDataset59.METAINFO
    palette = palette_of(metainfo['palette'], first_value=1)
    stuff = (0, *class_values(metainfo['classes'], STUFF, first_value=1))
    things = tuple(range(1, len(metainfo['classes']) + 1))
    rng = np.random.default_rng(seed)
    written: Dict[str, List[str]] = {}
    number = 0
    for split, count in splits.items():
        written[split] = []
        for _ in range(count):
            number += 1
            name = f'2008_{number:06d}'
            label, image = random_sample(rng, image_size, stuff, things,
                                         palette)
            save_jpeg(image, osp.join(root, 'JPEGImages', f'{name}.jpg'))
            save_label(label,
                       osp.join(root, 'SegmentationClassContext',
                                f'{name}.png'))
            written[split].append(name)
        write_name_list(
            osp.join(root, 'ImageSets', 'SegmentationContext',
                     f'{split}.txt'), sorted(written[split]))
    return written

"""A small synthetic Pascal VOC 2012 with the SBD "aug" labels.

The layout mmseg's ``_base_/datasets/pascal_voc12_aug.py`` reads with
``PascalVOCDataset`` (``data_root`` is ``VOCdevkit/VOC2012``): VOC2012's own
files plus what mmseg's converter (``tools/dataset_converters/voc_aug.py``)
writes from the SBD release (``SegmentationClassAug``, ``aug.txt``,
``trainaug.txt``)::

    root/JPEGImages/<name>.jpg                every image
    root/SegmentationClass/<name>.png         train and val: palette PNGs,
                                              255 on the object borders
    root/SegmentationClassAug/<name>.png      train and aug: greyscale
                                              PNGs, no border
    root/ImageSets/Segmentation/train.txt     VOC2012's splits
    root/ImageSets/Segmentation/val.txt
    root/ImageSets/Segmentation/trainval.txt
    root/ImageSets/Segmentation/aug.txt       SBD images in neither
    root/ImageSets/Segmentation/trainaug.txt  train + aug

Labels store 0 for the background, ``1..20`` for the classes and 255 for
the void border (ignored). The real SBD labels also cover part of VOC's val
images; the synthetic set writes them only for train and aug images, which
is all that training reads.
"""
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np

from .synthetic_scenes import (checked_splits, palette_of, random_sample,
                               region_borders, save_jpeg, save_label,
                               write_name_list)

#: Colour of the void label 255 in VOC's palette PNGs.
VOID_COLOUR = (224, 224, 192)


def voc_colour_map() -> np.ndarray:
    """The 256-entry palette of VOC's label PNGs, (256, 3) uint8.

    Value ``v`` spreads its bits over the colour channels, highest bit
    first: bit 0 -> red, 1 -> green, 2 -> blue, then the next three bits
    one position lower (value 1 -> (128, 0, 0), 255 -> (224, 224, 192)).
    """
    colours = np.zeros((256, 3), dtype=np.uint8)
    for value in range(256):
        code = value
        for position in range(7, -1, -1):
            for channel in range(3):
                colours[value, channel] |= ((code >> channel) & 1) << position
            code >>= 3
    return colours


def make_synthetic_voc(root: str,
                       splits: Dict[str, int] = None,
                       image_size: Tuple[int, int] = (320, 240),
                       seed: int = 0) -> Dict[str, List[str]]:
    """Write a synthetic Pascal VOC 2012 + SBD aug set.

    Args:
        root: Data root (the ``VOC2012`` folder).
        splits: Images per split: ``train`` and ``val`` (VOC2012's
            segmentation splits) and ``aug`` (SBD's further images); default
            ``{'train': 4, 'val': 4, 'aug': 4}``.
        image_size: (width, height) of every image.
        seed: Random seed; the same seed writes the same files.

    Returns:
        The image names written, per split.
    """
    from mmseg.datasets import PascalVOCDataset
    splits = checked_splits(splits, {'train': 4, 'val': 4, 'aug': 4}, 'VOC')
    colour_map = voc_colour_map()
    palette = palette_of(colour_map.astype(np.float32))
    things = tuple(range(1, len(PascalVOCDataset.METAINFO['classes'])))
    rng = np.random.default_rng(seed)
    written: Dict[str, List[str]] = {'train': [], 'val': [], 'aug': []}
    number = 0
    for split, count in splits.items():
        for _ in range(count):
            number += 1
            name = f'2007_{number:06d}'
            label, image = random_sample(rng, image_size, (0, ), things,
                                         palette)
            save_jpeg(image, osp.join(root, 'JPEGImages', f'{name}.jpg'))
            if split in ('train', 'aug'):
                save_label(
                    label,
                    osp.join(root, 'SegmentationClassAug', f'{name}.png'))
            if split in ('train', 'val'):
                label[region_borders(label)] = 255
                save_label(
                    label,
                    osp.join(root, 'SegmentationClass', f'{name}.png'),
                    palette=colour_map)
            written[split].append(name)
    lists = dict(written)
    lists['trainval'] = written['train'] + written['val']
    lists['trainaug'] = written['train'] + written['aug']
    for name, names in lists.items():
        write_name_list(
            osp.join(root, 'ImageSets', 'Segmentation', f'{name}.txt'),
            names)
    return {split: written[split] for split in splits}

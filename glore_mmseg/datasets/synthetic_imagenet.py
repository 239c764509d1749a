"""A small synthetic ImageNet in the folder layout mmpretrain reads.

Layout (what ``ImageNet(data_root, split=...)`` expects)::

    root/train/<wnid>/<wnid>_<i>.JPEG
    root/val/ILSVRC2012_val_<n:08d>.JPEG
    root/meta/train.txt     "<wnid>/<wnid>_<i>.JPEG <label>" per line
    root/meta/val.txt       "ILSVRC2012_val_<n:08d>.JPEG <label>" per line

Each class is a colour with a class-specific stripe pattern plus noise, so
a classifier can fit it in a few steps.
"""
import os
import os.path as osp
from typing import Dict, Tuple

import numpy as np
from PIL import Image


def _image(label: int, rng: np.random.Generator,
           size: Tuple[int, int]) -> np.ndarray:
    width, height = size
    hue = np.array([(label * 97) % 256, (label * 57 + 80) % 256,
                    (label * 151 + 160) % 256], dtype=np.float32)
    image = np.ones((height, width, 3), np.float32) * hue
    period = 4 + 4 * label
    stripes = (np.arange(width) // period) % 2 == 0
    image[:, stripes] = 255 - image[:, stripes]
    image += rng.normal(0, 25, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def make_synthetic_imagenet(root: str,
                            num_classes: int = 4,
                            per_class: Dict[str, int] = None,
                            image_size: Tuple[int, int] = (80, 64),
                            seed: int = 0) -> Dict[str, int]:
    """Write the data set; returns the number of images per split.

    Args:
        root: Data root (``data_root`` of mmpretrain's ``ImageNet``).
        num_classes: Classes, labelled 0..num_classes-1 (< 1000).
        per_class: Images per class and split; default train 4, val 2.
        image_size: (width, height).
        seed: Random seed; the same seed writes the same files.
    """
    per_class = {'train': 4, 'val': 2} if per_class is None else per_class
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    counts = {}
    val_index = 0
    for split, count in per_class.items():
        lines = []
        for label in range(num_classes):
            wnid = f'n{label:08d}'
            for i in range(count):
                if split == 'train':
                    name = f'{wnid}/{wnid}_{i}.JPEG'
                else:
                    val_index += 1
                    name = f'ILSVRC2012_{split}_{val_index:08d}.JPEG'
                path = osp.join(root, split, name)
                os.makedirs(osp.dirname(path), exist_ok=True)
                Image.fromarray(_image(label, rng, image_size)).save(
                    path, quality=95)
                lines.append(f'{name} {label}')
        with open(osp.join(root, 'meta', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
        counts[split] = len(lines)
    return counts

"""A small synthetic CUB-200-2011 in the folder layout of the real one.

Layout (what mmpretrain's ``CUB(data_root, split=...)`` reads, plus the
``classes.txt`` the real archive has)::

    root/images/<NNN.Class_name>/<Class_name>_<id>.jpg
    root/images.txt              "<id> <NNN.Class_name>/<file>.jpg"
    root/image_class_labels.txt  "<id> <class id, 1-based>"
    root/train_test_split.txt    "<id> <1: train, 0: test>"
    root/classes.txt             "<class id> <NNN.Class_name>"

Image ids count from 1 in class order, each class's training images first.
Class folders are named as the real data set's, after mmpretrain's
``CUB_CATEGORIES``, so label ``k`` is CUB class ``k + 1``.

Each image is a "bird" on a noisy background: an elliptic body and a round
head at a random place, size and side. A class is a pair of colours (body,
head) out of 15, and every colour is shared by several classes once there
are more than 15, so with many classes telling them apart takes both parts,
as in fine-grained recognition.
"""
import colorsys
import os
import os.path as osp
from typing import Dict, Tuple

import numpy as np
from mmpretrain.datasets.categories import CUB_CATEGORIES
from PIL import Image

_NUM_COLOURS = 15
_PALETTE = np.array([
    colorsys.hsv_to_rgb(i / _NUM_COLOURS, 0.9 if i % 2 else 0.6,
                        0.95 if i % 3 else 0.65) for i in range(_NUM_COLOURS)
], np.float32) * 255


def class_folder(label: int) -> str:
    """The real data set's folder of 0-based class ``label``, e.g.
    ``'001.Black_footed_Albatross'``."""
    return f'{label + 1:03d}.{CUB_CATEGORIES[label]}'


def part_colours(label: int) -> Tuple[int, int]:
    """Palette indices (body, head) of 0-based class ``label``; distinct
    for all 200 classes."""
    body = label % _NUM_COLOURS
    return body, (label // _NUM_COLOURS + body + 1) % _NUM_COLOURS


def _bird_image(label: int, rng: np.random.Generator,
                size: Tuple[int, int]) -> np.ndarray:
    width, height = size
    image = rng.normal(128, 30, (height, width, 3)).astype(np.float32)
    image += np.linspace(-30, 30, width, dtype=np.float32)[None, :, None]
    body, head = (_PALETTE[i] for i in part_colours(label))
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    radius_x = rng.uniform(0.18, 0.28) * width
    radius_y = rng.uniform(0.6, 0.8) * radius_x
    centre_x = rng.uniform(radius_x * 1.6, width - radius_x * 1.6)
    centre_y = rng.uniform(radius_y * 1.5, height - radius_y * 1.2)
    inside = ((cols - centre_x) / radius_x)**2 + (
        (rows - centre_y) / radius_y)**2 <= 1
    image[inside] = body
    side = rng.choice((-1.0, 1.0))
    head_radius = 0.45 * radius_y
    head_x = centre_x + side * 1.05 * radius_x
    head_y = centre_y - 0.7 * radius_y
    image[(cols - head_x)**2 + (rows - head_y)**2 <= head_radius**2] = head
    image += rng.normal(0, 12, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def make_synthetic_cub(root: str,
                       num_classes: int = 4,
                       per_class: Dict[str, int] = None,
                       image_size: Tuple[int, int] = (96, 72),
                       seed: int = 0) -> Dict[str, int]:
    """Write the data set; returns the number of images per split.

    Args:
        root: Data root (``data_root`` of mmpretrain's ``CUB``).
        num_classes: Classes, the first ``num_classes`` of CUB-200-2011
            (1..200).
        per_class: Images per class for ``'train'`` and ``'test'``;
            default 4 and 2.
        image_size: (width, height) of every image.
        seed: Random seed; the same seed writes the same files.

    Raises:
        ValueError: ``num_classes`` outside 1..200, an unknown split or a
            negative count.
    """
    per_class = {'train': 4, 'test': 2} if per_class is None else per_class
    if not 1 <= num_classes <= len(CUB_CATEGORIES):
        raise ValueError(f'num_classes must be in 1..{len(CUB_CATEGORIES)}, '
                         f'got {num_classes}')
    unknown = set(per_class) - {'train', 'test'}
    if unknown or any(n < 0 for n in per_class.values()):
        raise ValueError("per_class takes counts >= 0 for 'train' and "
                         f"'test', got {per_class!r}")
    rng = np.random.default_rng(seed)
    images, labels, splits = [], [], []
    for label in range(num_classes):
        folder = class_folder(label)
        os.makedirs(osp.join(root, 'images', folder), exist_ok=True)
        flags = [1] * per_class.get('train', 0) + [0] * per_class.get(
            'test', 0)
        for flag in flags:
            image_id = len(images) + 1
            name = f'{folder}/{CUB_CATEGORIES[label]}_{image_id:04d}.jpg'
            Image.fromarray(_bird_image(label, rng, image_size)).save(
                osp.join(root, 'images', name), quality=95)
            images.append(f'{image_id} {name}')
            labels.append(f'{image_id} {label + 1}')
            splits.append(f'{image_id} {flag}')
    classes = [f'{i + 1} {class_folder(i)}' for i in range(num_classes)]
    for name, lines in (('images.txt', images),
                        ('image_class_labels.txt', labels),
                        ('train_test_split.txt', splits),
                        ('classes.txt', classes)):
        with open(osp.join(root, name), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    return {
        split: num_classes * per_class.get(split, 0)
        for split in ('train', 'test')
    }

"""Small synthetic datasets in the exact Cityscapes folder layout.

Used by the demo and the tests, which cannot download Cityscapes. Scenes are
street-like polygons (sky, building, vegetation, road, sidewalk, cars,
persons) written as ``*_gtFine_polygons.json``; the label images are then
made from them by cityscapesscripts' own converters (``json2labelImg``,
``json2instanceImg``), exactly as for the real data set. Image colours
follow each class's Cityscapes colour plus noise, so a model can learn the
task in a few iterations.

Layout (``<stem>`` = ``<city>_<seq:06d>_<frame:06d>``)::

    root/leftImg8bit/<split>/<city>/<stem>_leftImg8bit.png
    root/gtFine/<split>/<city>/<stem>_gtFine_polygons.json
    root/gtFine/<split>/<city>/<stem>_gtFine_labelIds.png
    root/gtFine/<split>/<city>/<stem>_gtFine_labelTrainIds.png
    root/gtFine/<split>/<city>/<stem>_gtFine_instanceIds.png
    root/gtFine/<split>/<city>/<stem>_gtFine_color.png
"""
import json
import os
import os.path as osp
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
from PIL import Image

from .synthetic_scenes import colour_image

CITIES = {'train': ('aachen', 'bochum'), 'val': ('frankfurt', ),
          'test': ('berlin', )}


def _box(x0: float, y0: float, x1: float, y1: float) -> List[List[int]]:
    return [[int(x0), int(y0)], [int(x1), int(y0)], [int(x1), int(y1)],
            [int(x0), int(y1)]]


def random_scene(rng: np.random.Generator, width: int,
                 height: int) -> List[dict]:
    """Cityscapes-style polygon objects of one street scene, back to front."""
    horizon = rng.uniform(0.25, 0.4) * height
    ground = rng.uniform(0.55, 0.7) * height
    split = rng.uniform(0.3, 0.7) * width
    objects = [
        dict(label='sky', polygon=_box(0, 0, width, horizon + 2)),
        dict(label='building', polygon=_box(0, horizon, split, ground + 2)),
        dict(label='vegetation',
             polygon=_box(split, horizon, width, ground + 2)),
        dict(label='sidewalk', polygon=_box(0, ground, width, height)),
        dict(label='road',
             polygon=[[int(width * 0.1), height], [int(width * 0.4),
                                                   int(ground)],
                      [int(width * 0.6), int(ground)],
                      [int(width * 0.9), height]]),
    ]
    for label, count, size in (('car', rng.integers(1, 3), (0.18, 0.12)),
                               ('person', rng.integers(1, 3), (0.04, 0.2))):
        for _ in range(count):
            w, h = size[0] * width, size[1] * height
            x = rng.uniform(0, width - w)
            y = rng.uniform(ground - 0.5 * h, height - h)
            objects.append(dict(label=label, polygon=_box(x, y, x + w, y + h)))
    return objects


def render_image(label_ids: np.ndarray, rng: np.random.Generator,
                 noise: float = 20.0) -> np.ndarray:
    """RGB image whose pixels are their class's Cityscapes colour + noise."""
    from cityscapesscripts.helpers.labels import labels
    palette = np.zeros((256, 3), dtype=np.float32)
    for label in labels:
        if label.id >= 0:
            palette[label.id] = label.color
    return colour_image(label_ids, palette, rng, noise)


def make_synthetic_cityscapes(root: str,
                              splits: Dict[str, int] = None,
                              image_size: Tuple[int, int] = (512, 256),
                              seed: int = 0,
                              render: Callable[
                                  [np.ndarray, np.random.Generator],
                                  np.ndarray] = render_image,
                              scene: Callable[
                                  [np.random.Generator, int, int],
                                  List[dict]] = random_scene
                              ) -> Dict[str, List[str]]:
    """Write a synthetic Cityscapes data set.

    Args:
        root: Data root (the folder holding ``leftImg8bit`` and ``gtFine``).
        splits: Images per split, e.g. ``{'train': 8, 'val': 4}``. A
            ``'test'`` split gets images only, like the real test set's
            usable part.
        image_size: (width, height) of every image. Real Cityscapes is
            (2048, 1024).
        seed: Random seed; the same seed writes the same files.
        render: Makes the RGB image (H, W, 3) uint8 of a (H, W) labelIds
            map; default :func:`render_image` (class colours plus noise).
        scene: Makes the Cityscapes polygon objects (``label``,
            ``polygon``), back to front, of one (width, height) image;
            default :func:`random_scene` (a street).

    Returns:
        The image stems written, per split.
    """
    from cityscapesscripts.preparation.json2instanceImg import json2instanceImg
    from cityscapesscripts.preparation.json2labelImg import json2labelImg

    splits = {'train': 8, 'val': 4} if splits is None else splits
    width, height = image_size
    rng = np.random.default_rng(seed)
    written: Dict[str, List[str]] = {}
    for split, count in splits.items():
        cities: Sequence[str] = CITIES.get(split, (split, ))
        written[split] = []
        for i in range(count):
            city = cities[i % len(cities)]
            stem = f'{city}_{i:06d}_{19 + i:06d}'
            img_dir = osp.join(root, 'leftImg8bit', split, city)
            gt_dir = osp.join(root, 'gtFine', split, city)
            os.makedirs(img_dir, exist_ok=True)
            os.makedirs(gt_dir, exist_ok=True)
            gt = osp.join(gt_dir, f'{stem}_gtFine_')

            annotation = dict(
                imgHeight=height,
                imgWidth=width,
                objects=scene(rng, width, height))
            with open(gt + 'polygons.json', 'w') as f:
                json.dump(annotation, f)
            json2labelImg(gt + 'polygons.json', gt + 'labelIds.png', 'ids')
            label_ids = np.asarray(Image.open(gt + 'labelIds.png'))
            Image.fromarray(render(label_ids, rng)).save(
                osp.join(img_dir, f'{stem}_leftImg8bit.png'))
            if split == 'test':
                for suffix in ('polygons.json', 'labelIds.png'):
                    os.remove(gt + suffix)
            else:
                json2labelImg(gt + 'polygons.json', gt + 'labelTrainIds.png',
                              'trainIds')
                json2labelImg(gt + 'polygons.json', gt + 'color.png', 'color')
                json2instanceImg(gt + 'polygons.json', gt + 'instanceIds.png')
            written[split].append(stem)
    return written

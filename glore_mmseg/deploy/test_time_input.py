"""Images as the exported graph sees them after the config's test resize.
"""
import copy
from typing import List

import numpy as np
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

from ..datasets.pipeline_edits import drop_annotation_loading


def test_time_image(cfg: Config, path: str) -> np.ndarray:
    """``path`` through the config's test pipeline (loading, resize, crop),
    as a (1, 3, H, W) float32 RGB 0-255 array.

    Args:
        cfg: A segmentor or classifier config with ``test_dataloader``.
        path: An image file.
    """
    init_default_scope(cfg.default_scope)
    pipeline = drop_annotation_loading(
        copy.deepcopy(cfg.test_dataloader.dataset.pipeline))
    packed = Compose(pipeline)(dict(img_path=path))
    bgr = packed['inputs'].numpy()
    if bgr.ndim != 3 or bgr.shape[0] != 3:
        raise ValueError(f'{path}: the test pipeline gave an input of shape '
                         f'{bgr.shape}, not (3, H, W)')
    return np.ascontiguousarray(bgr[::-1][None].astype(np.float32))


def test_time_images(cfg: Config, paths: List[str]) -> List[np.ndarray]:
    """:func:`test_time_image` of each path."""
    return [test_time_image(cfg, path) for path in paths]

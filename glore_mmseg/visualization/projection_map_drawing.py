"""Pictures of GloRe projection maps on mmseg's ``SegLocalVisualizer``.

Two pictures per unit: a grid of the most active nodes' weight maps as
heatmaps over the image (mmengine's ``draw_featmap``), each tile labelled
with its node index, and the node assignment (each position coloured by the
node with the largest weight, drawn like a segmentation with the node
indices as labels).
"""
import math
from typing import List, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.visualization import SegLocalVisualizer


def most_active_nodes(maps: torch.Tensor, k: int) -> List[int]:
    """Indices of the ``k`` nodes with the largest mean |weight|, largest
    first (weights are signed: no softmax in the unit).

    Args:
        maps: Projection maps (N, h, w).
        k: Number of nodes; more than N gives all N.
    """
    activity = maps.abs().flatten(1).mean(1)
    k = min(k, maps.size(0))
    return torch.topk(activity, k).indices.tolist()


def node_palette(num_nodes: int) -> List[Tuple[int, int, int]]:
    """One fixed RGB colour per node; golden-ratio hue steps keep nodes with
    neighbouring indices far apart in colour."""
    hues = (np.arange(num_nodes) * 0.618034 % 1 * 180).astype(np.uint8)
    hsv = np.stack([hues, np.full_like(hues, 200),
                    np.full_like(hues, 230)], -1)[None]
    rgb = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0]
    return [tuple(int(c) for c in color) for color in rgb]


def _label(visualizer: SegLocalVisualizer, tile: np.ndarray,
           text: str) -> np.ndarray:
    visualizer.set_image(tile)
    visualizer.draw_texts(
        text,
        positions=np.array([4, 4]),
        colors='white',
        font_sizes=max(8, tile.shape[0] // 12),
        bboxes=dict(facecolor='black', alpha=0.6, pad=1, edgecolor='none'))
    return visualizer.get_image()


def draw_node_grid(visualizer: SegLocalVisualizer,
                   image: np.ndarray,
                   maps: torch.Tensor,
                   num_nodes: int = 16,
                   alpha: float = 0.5) -> np.ndarray:
    """Grid of the most active nodes' maps over the image.

    Args:
        visualizer: Draws the node index onto each tile.
        image: RGB uint8 image (H, W, 3), the tile size.
        maps: Projection maps (N, h, w); upsampled bilinearly to (H, W),
            each min-max scaled to the JET colour map.
        num_nodes: Tiles (the K most active nodes, see
            :func:`most_active_nodes`), in rows of ceil(sqrt(K)).
        alpha: Weight of the heatmap over the image.

    Returns:
        RGB uint8 image (rows * H, cols * W, 3); unused tiles are black.
    """
    nodes = most_active_nodes(maps, num_nodes)
    height, width = image.shape[:2]
    maps = F.interpolate(
        maps[None, nodes].float(), (height, width),
        mode='bilinear',
        align_corners=False)[0]
    cols = math.ceil(math.sqrt(len(nodes)))
    rows = math.ceil(len(nodes) / cols)
    grid = np.zeros((rows * height, cols * width, 3), np.uint8)
    for i, node in enumerate(nodes):
        heat = visualizer.draw_featmap(
            maps[i:i + 1], image, channel_reduction='squeeze_mean',
            alpha=alpha)
        row, col = divmod(i, cols)
        grid[row * height:(row + 1) * height,
             col * width:(col + 1) * width] = _label(visualizer, heat,
                                                     f'node {node}')
    return grid


def node_assignment(maps: torch.Tensor, size: Tuple[int, int]) -> np.ndarray:
    """Index of the node with the largest weight at each position.

    Args:
        maps: Projection maps (N, h, w).
        size: Output (H, W); the maps are upsampled bilinearly first.

    Returns:
        int64 array (H, W) of node indices.
    """
    upsampled = F.interpolate(
        maps[None].float(), size, mode='bilinear', align_corners=False)[0]
    return upsampled.argmax(0).numpy()


def draw_node_assignment(visualizer: SegLocalVisualizer,
                         image: np.ndarray,
                         maps: torch.Tensor,
                         alpha: float = 0.5) -> np.ndarray:
    """The image with each position coloured by its strongest node.

    Args:
        visualizer: mmseg visualizer; draws the colours and the node indices
            at the regions' centres.
        image: RGB uint8 image (H, W, 3).
        maps: Projection maps (N, h, w).
        alpha: Weight of the colours over the image.

    Returns:
        RGB uint8 image (H, W, 3).
    """
    assignment = node_assignment(maps, image.shape[:2])
    sem_seg = PixelData(data=torch.from_numpy(assignment)[None])
    saved_alpha, visualizer.alpha = visualizer.alpha, alpha
    try:
        return visualizer._draw_sem_seg(
            image.copy(),
            sem_seg,
            classes=[str(n) for n in range(maps.size(0))],
            palette=node_palette(maps.size(0)),
            with_labels=True)
    finally:
        visualizer.alpha = saved_alpha

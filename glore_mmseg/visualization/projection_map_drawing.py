"""Pictures of GloRe projection maps.

Two pictures per unit: a grid of the most active nodes' weight maps as
heatmaps over the image (mmengine's ``draw_featmap`` on mmseg's
``SegLocalVisualizer``), each tile labelled with its node index, and the
node assignment: each position coloured by the node with the largest
weight, majority-filtered so that speckle does not hide the regions, with
region boundaries, node indices inside the regions that hold them and a
legend strip below the image.
"""
import math
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmseg.visualization import SegLocalVisualizer

_FONT = cv2.FONT_HERSHEY_SIMPLEX


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


def majority_filter(assignment: np.ndarray, kernel_size: int) -> np.ndarray:
    """Each position takes the node most frequent in the square window
    around it, which removes speckle narrower than half the window.

    Args:
        assignment: int array (H, W) of node indices.
        kernel_size: Odd window width in pixels; 1 returns a copy.

    Returns:
        int64 array (H, W); a tie keeps the position's own node.
    """
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f'kernel_size must be odd and positive, got '
                         f'{kernel_size}')
    nodes = np.unique(assignment)
    if kernel_size == 1 or len(nodes) == 1:
        return assignment.astype(np.int64)
    # A window holds at most kernel_size**2 votes: a bonus of half a vote
    # for the own node breaks ties without outvoting anything.
    bonus = 0.5 / kernel_size**2
    best_votes = np.full(assignment.shape, -1.0, np.float32)
    best_nodes = np.zeros(assignment.shape, np.int64)
    for node in nodes:  # one node at a time: memory of two maps, not N
        own = assignment == node
        votes = cv2.boxFilter(own.astype(np.float32), -1,
                              (kernel_size, kernel_size),
                              borderType=cv2.BORDER_REFLECT)
        votes[own] += bonus
        better = votes > best_votes
        best_votes[better] = votes[better]
        best_nodes[better] = node
    return best_nodes


def region_boundaries(assignment: np.ndarray) -> np.ndarray:
    """Positions whose right or lower neighbour has another node.

    Args:
        assignment: int array (H, W) of node indices.

    Returns:
        bool array (H, W), one pixel wide lines between regions.
    """
    edges = np.zeros(assignment.shape, bool)
    edges[:, :-1] |= assignment[:, 1:] != assignment[:, :-1]
    edges[:-1] |= assignment[1:] != assignment[:-1]
    return edges


def node_shares(assignment: np.ndarray) -> List[Tuple[int, float]]:
    """The nodes that own positions, with the share of positions each
    owns, largest share first (ties: lower index first).

    Args:
        assignment: int array (H, W) of node indices.
    """
    nodes, counts = np.unique(assignment, return_counts=True)
    order = sorted(range(len(nodes)), key=lambda i: (-counts[i], nodes[i]))
    return [(int(nodes[i]), counts[i] / assignment.size) for i in order]


def label_positions(assignment: np.ndarray,
                    text_sizes: Dict[int, Tuple[int, int]]
                    ) -> Dict[int, Tuple[int, int]]:
    """Where each node's index fits inside its own largest region.

    A label is centred at the point of the region farthest from any other
    region and from the image edge, and only given when a box of its size
    around that point stays inside the region, so labels never overlap
    each other, other regions or the edge.

    Args:
        assignment: int array (H, W) of node indices.
        text_sizes: (width, height) in pixels of each node's label.

    Returns:
        Centre (x, y) of the label of every node whose label fits.
    """
    positions = {}
    for node, (width, height) in text_sizes.items():
        mask = (assignment == node).astype(np.uint8)
        count, components, stats, _ = cv2.connectedComponentsWithStats(
            mask, connectivity=4)
        if count < 2:
            continue
        largest = 1 + int(stats[1:, cv2.CC_STAT_AREA].argmax())
        # Zero padding makes the image edge a region border too.
        region = np.pad((components == largest).astype(np.uint8), 1)
        distance = cv2.distanceTransform(region, cv2.DIST_C, 3)[1:-1, 1:-1]
        y, x = np.unravel_index(distance.argmax(), distance.shape)
        # DIST_C is the chessboard distance: the largest square around
        # (x, y) inside the region has half-width distance - 1.
        if distance[y, x] - 1 >= max(width, height) / 2 + 1:
            positions[node] = (int(x), int(y))
    return positions


def _put_text(canvas: np.ndarray, text: str, origin: Tuple[int, int],
              scale: float, color: Tuple[int, int, int],
              outline: Optional[Tuple[int, int, int]] = None) -> None:
    if outline is not None:
        cv2.putText(canvas, text, origin, _FONT, scale, outline, 3,
                    cv2.LINE_AA)
    cv2.putText(canvas, text, origin, _FONT, scale, color, 1, cv2.LINE_AA)


def _text_size(text: str, scale: float) -> Tuple[int, int]:
    (width, height), _ = cv2.getTextSize(text, _FONT, scale, 1)
    return width, height


def draw_legend(shares: List[Tuple[int, float]],
                palette: List[Tuple[int, int, int]], width: int,
                scale: float = 0.45) -> np.ndarray:
    """A strip of colour swatches, node indices and shares, wrapped into as
    many rows as ``width`` needs.

    Args:
        shares: (node, share of positions) as from :func:`node_shares`.
        palette: RGB colour of each node.
        width: Strip width in pixels (the image's).
        scale: OpenCV font scale.

    Returns:
        RGB uint8 strip (rows * row height, width, 3), white background.
    """
    texts = [
        f'{node}: {share:.0%}' if share >= 0.005 else f'{node}: <1%'
        for node, share in shares
    ]
    text_height = _text_size('0', scale)[1]
    row_height = text_height * 2
    swatch = text_height + 2
    entry = swatch + 4 + max(_text_size(text, scale)[0]
                             for text in texts) + 10
    per_row = max(1, width // entry)
    rows = math.ceil(len(texts) / per_row)
    strip = np.full((rows * row_height, width, 3), 255, np.uint8)
    for i, ((node, _), text) in enumerate(zip(shares, texts)):
        row, col = divmod(i, per_row)
        x, y = 4 + col * entry, row * row_height + (row_height - swatch) // 2
        strip[y:y + swatch, x:x + swatch] = palette[node]
        cv2.rectangle(strip, (x, y), (x + swatch - 1, y + swatch - 1),
                      (0, 0, 0), 1)
        _put_text(strip, text, (x + swatch + 4, y + swatch - 2), scale,
                  (0, 0, 0))
    return strip


def draw_node_assignment(image: np.ndarray,
                         maps: torch.Tensor,
                         alpha: float = 0.5,
                         kernel_size: Optional[int] = None,
                         scale: float = 0.45) -> np.ndarray:
    """The image with each position coloured by its strongest node, region
    boundaries, node indices inside the regions large enough to hold them,
    and a legend strip below (every node shown, with its share).

    Args:
        image: RGB uint8 image (H, W, 3).
        maps: Projection maps (N, h, w).
        alpha: Weight of the colours over the image.
        kernel_size: Window of the :func:`majority_filter` in pixels;
            default: the odd number next to 5 feature positions
            (5 * H / h), at most a quarter of the image's smaller side.
        scale: OpenCV font scale of the indices and the legend.

    Returns:
        RGB uint8 image (H + legend height, W, 3).
    """
    height, width = image.shape[:2]
    if kernel_size is None:
        cells = 5 * height / maps.size(1)
        kernel_size = int(min(cells, min(height, width) / 4)) // 2 * 2 + 1
    assignment = majority_filter(
        node_assignment(maps, (height, width)), kernel_size)
    palette = node_palette(maps.size(0))
    colours = np.asarray(palette, np.float32)[assignment]
    picture = (image * (1 - alpha) + colours * alpha).round().astype(np.uint8)
    picture[region_boundaries(assignment)] = 0
    shares = node_shares(assignment)
    labels = {node: str(node) for node, _ in shares}
    positions = label_positions(
        assignment, {node: _text_size(text, scale)
                     for node, text in labels.items()})
    for node, (x, y) in positions.items():
        text_width, text_height = _text_size(labels[node], scale)
        _put_text(picture, labels[node],
                  (x - text_width // 2, y + text_height // 2), scale,
                  (255, 255, 255), outline=(0, 0, 0))
    return np.concatenate(
        [picture, draw_legend(shares, palette, width, scale)])

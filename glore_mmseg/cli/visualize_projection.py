"""Draw what the GloRe units attend to: their projection maps (Fig. 7 of
the GloRe paper).

    python tools/visualize_projection.py CONFIG CKPT IMG_OR_DIR --out DIR \
        [--unit NAME ...] [--nodes K] [--device cpu]

CONFIG is a config file or a model name of ``model-index.yml``: a
segmentor (mmseg) or a classifier (mmpretrain, e.g. configs/glore_cls/).
For every image and GloRe unit (head and backbone units) it writes
``DIR/<image>/<unit>_nodes.png``, a grid of the K most active nodes'
projection weights over the image (node index in each tile), and
``DIR/<image>/<unit>_assignment.png``, each position coloured by the
node with the largest weight. The model runs whole-image inference on the
config's test pipeline; a classifier's maps cover the image as its test
pipeline hands it over (e.g. the centre crop).
"""
import argparse
import os
import os.path as osp
import sys

import mmcv
import numpy as np
from mmengine.utils import track_iter_progress
from mmseg.visualization import SegLocalVisualizer

from ..apis import (find_config, find_glore_units, init_projection_model,
                    model_view, projection_maps)
from ..datasets.image_files import list_images, relative_stem
from ..visualization import draw_node_assignment, draw_node_grid
from .args import add_image_tool_args


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    add_image_tool_args(parser)
    parser.add_argument(
        '--unit',
        nargs='+',
        help='unit names, e.g. decode_head.glore_units.0 (default: all '
        'GloRe units of the model)')
    parser.add_argument(
        '--nodes',
        type=int,
        default=16,
        help='how many of the most active nodes to draw (default 16)')
    parser.add_argument(
        '--tile-width',
        type=int,
        default=512,
        help='width of each tile; the image is scaled to it (default 512)')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.nodes < 1:
        parser.error(f'--nodes must be at least 1, got {args.nodes}')
    if args.tile_width < 16:
        parser.error(f'--tile-width must be at least 16, got '
                     f'{args.tile_width}')
    return args


def tile_image(image: np.ndarray, width: int) -> np.ndarray:
    """The RGB image scaled to ``width`` pixels wide."""
    height = max(1, round(image.shape[0] * width / image.shape[1]))
    return mmcv.imresize(image, (width, height))


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        sys.exit(f'error: checkpoint {args.checkpoint!r} not found')
    images = list_images(args.images)
    config = find_config(args.config)
    model = init_projection_model(config, args.checkpoint, args.device)
    units = list(find_glore_units(model, args.unit))
    visualizer = SegLocalVisualizer.get_instance(
        'glore_projection_maps', save_dir=None)
    os.makedirs(args.out, exist_ok=True)
    written = 0
    for path in track_iter_progress(images):
        maps = projection_maps(model, path, units)
        image = tile_image(model_view(model, path), args.tile_width)
        folder = osp.join(args.out, relative_stem(path, args.images))
        os.makedirs(folder, exist_ok=True)
        for name, unit_maps in maps.items():
            grid = draw_node_grid(visualizer, image, unit_maps, args.nodes)
            mmcv.imwrite(mmcv.rgb2bgr(grid),
                         osp.join(folder, f'{name}_nodes.png'))
            assignment = draw_node_assignment(image, unit_maps)
            mmcv.imwrite(mmcv.rgb2bgr(assignment),
                         osp.join(folder, f'{name}_assignment.png'))
            written += 2
    print(f'\nwrote {written} PNGs for {len(images)} image(s) and '
          f'{len(units)} unit(s) ({", ".join(units)}) to {args.out}')

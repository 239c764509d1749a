"""Segment your own images: overlay and label PNGs for a file or a folder.

    python tools/infer.py CONFIG CKPT IMG_OR_DIR --out DIR \
        [--label-ids] [--tta flip|ms|ms-flip] [--inference slide] \
        [--device cpu|cuda:0] [--opacity 0.5]

CONFIG is a config file or a model name of ``model-index.yml`` (e.g.
``glore_r50-d8_4xb2-80k_cityscapes-512x1024``). Built on mmseg's
``MMSegInferencer``; class names and palette come from the checkpoint's
``meta.dataset_meta``. For each image (folders are read recursively, the
sub-folders are kept) it writes ``DIR/vis/<name>.png`` (the prediction
painted over the image) and ``DIR/pred/<name>.png`` (uint8 class indices:
trainIds, or Cityscapes labelIds with ``--label-ids``), at the image's own
size.

Given an ``.onnx`` file (``tools/export.py``, logits output) instead of
CKPT, onnxruntime runs the graph on the CPU with the same test-time resize
and writes the same files (no ``--tta``, no ``--inference slide``).
"""
import argparse
import os.path as osp
import sys

import mmcv
import numpy as np
import torch
from mmengine.config import Config
from mmengine.utils import track_iter_progress
from mmseg.datasets import CityscapesDataset

from ..apis import find_config
from ..apis.seg_inferencer import GloReSegInferencer
from ..datasets.image_files import list_images, relative_stem
from ..engine.inference_options import apply_test_time_options
from ..evaluation.cityscapes_submission_metric import train_ids_to_label_ids
from .args import add_image_tool_args, add_test_time_args


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    add_image_tool_args(parser)
    parser.add_argument(
        '--label-ids',
        action='store_true',
        help='write Cityscapes labelIds instead of trainIds (19-class '
        'Cityscapes models)')
    add_test_time_args(parser)
    parser.add_argument(
        '--device',
        help='cpu, cuda, cuda:1...; default: cuda if available, else cpu')
    parser.add_argument(
        '--opacity',
        type=float,
        default=0.5,
        help='opacity of the painted prediction (0 to 1, default 0.5)')
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.opacity <= 1:
        parser.error(f'--opacity must be in [0, 1], got {args.opacity}')
    return args


def check_cityscapes_classes(classes) -> None:
    if tuple(classes) != tuple(CityscapesDataset.METAINFO['classes']):
        raise ValueError(
            '--label-ids converts the 19 Cityscapes trainIds to labelIds, '
            f'but the checkpoint\'s classes are {tuple(classes)}')


def onnx_inferencer(cfg, args):
    """The inferencer on an exported ``.onnx`` file (onnxruntime, CPU)."""
    from ..deploy.onnx_segmentor import OnnxSegInferencer
    return OnnxSegInferencer(cfg, args.checkpoint, device=args.device)


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        sys.exit(f'error: checkpoint {args.checkpoint!r} not found')
    images = list_images(args.images)
    cfg = Config.fromfile(find_config(args.config))
    apply_test_time_options(cfg, args.tta, args.tta_scales, args.inference)
    if args.checkpoint.endswith('.onnx'):
        inferencer = onnx_inferencer(cfg, args)
    else:
        device = args.device or ('cuda' if torch.cuda.is_available() else
                                 'cpu')
        inferencer = GloReSegInferencer(cfg, args.checkpoint, device=device)
    inferencer.show_progress = False  # one bar over the whole folder below
    if args.label_ids:
        check_cityscapes_classes(inferencer.model.dataset_meta['classes'])

    for path in track_iter_progress(images):
        result = inferencer(path, return_vis=True, opacity=args.opacity)
        name = relative_stem(path, args.images) + '.png'
        labels = result['predictions']
        labels = train_ids_to_label_ids(labels) if args.label_ids else \
            labels.astype(np.uint8)
        mmcv.imwrite(labels, osp.join(args.out, 'pred', name))
        mmcv.imwrite(
            mmcv.rgb2bgr(result['visualization']),
            osp.join(args.out, 'vis', name))
    print(f'\nwrote {len(images)} overlay(s) to '
          f'{osp.join(args.out, "vis")} and label PNGs '
          f'({"labelIds" if args.label_ids else "trainIds"}) to '
          f'{osp.join(args.out, "pred")}')

"""Export a segmentor or classifier to ONNX and check it against PyTorch.

    python tools/export.py CONFIG CKPT --out FILE.onnx [--argmax]
        [--shape H W] [--opset N] [--legacy] [--check IMG]
        [--tolerance 1e-3] [--int8 --calib DIR [--calib-num 8]]

The graph takes ``image``, float32 (N, 3, H, W), RGB, 0-255 (the data
preprocessor's channel order, mean and std are inside it). Segmentors give
``logits`` (N, num_classes, H, W) at the input size, or ``labels`` (N, H, W)
with ``--argmax``; classifiers give ``scores`` (N, num_classes), softmax.
N, H and W are dynamic unless ``--shape`` fixes H and W. After writing, the
file runs in onnxruntime on two inputs (random, or the ``--check`` image at
the config's test size and at a second size) and the largest difference
from PyTorch is printed; above ``--tolerance`` the command exits with
status 1 (the file stays, for inspection). ``--int8`` writes a static int8
quantization instead, calibrated on ``--calib-num`` images of ``--calib``
(resized by the config's test pipeline), and checks its label agreement.
The file is written under a temporary name and renamed: a failed export
leaves nothing.
"""
import argparse
import os
import os.path as osp
import sys
import tempfile

import numpy as np
import torch
from mmengine.config import Config

from ..apis import find_config
from ..datasets.image_files import list_images
from ..deploy.export_model import build_export_model, checkpoint_dataset_meta
from ..deploy.onnx_check import (DEFAULT_TOLERANCE, check_onnx, onnx_session,
                                 run_session)
from ..deploy.onnx_export import export_onnx

#: Share of int8 labels (segmentors: pixels; classifiers: top-1 classes)
#: that must equal PyTorch float32's on the calibration images.
DEFAULT_MIN_AGREEMENT = 0.99


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        'config', help='config file or model name of model-index.yml')
    parser.add_argument('checkpoint', help='checkpoint file (strict load)')
    parser.add_argument('--out', required=True, help='the .onnx file')
    parser.add_argument(
        '--argmax', action='store_true',
        help='segmentors: output labels (N, H, W) instead of logits')
    parser.add_argument(
        '--shape', type=int, nargs=2, metavar=('H', 'W'),
        help='static input height and width (default: dynamic N, H, W)')
    parser.add_argument('--opset', type=int, help='ONNX opset version')
    parser.add_argument(
        '--legacy', action='store_true',
        help="the TorchScript exporter (dynamo=False) instead of "
        "torch.export's")
    parser.add_argument(
        '--check', metavar='IMG',
        help='compare on this image instead of random input')
    parser.add_argument(
        '--tolerance', type=float, default=DEFAULT_TOLERANCE,
        help='largest accepted |onnxruntime - PyTorch| (default '
        f'{DEFAULT_TOLERANCE})')
    parser.add_argument(
        '--int8', action='store_true',
        help='write a static int8 quantization, calibrated on --calib')
    parser.add_argument('--calib', help='folder of calibration images')
    parser.add_argument(
        '--calib-num', type=int, default=8,
        help='calibration images to use (default 8)')
    parser.add_argument(
        '--min-agreement', type=float, default=DEFAULT_MIN_AGREEMENT,
        help='--int8: least share of labels equal to PyTorch float32 '
        f'(default {DEFAULT_MIN_AGREEMENT})')
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.out.endswith('.onnx'):
        parser.error(f'--out must name a .onnx file, got {args.out!r}')
    if args.shape is not None and min(args.shape) < 32:
        parser.error(f'--shape must be at least 32 x 32, got {args.shape}')
    if args.int8 and not args.calib:
        parser.error('--int8 needs --calib DIR (calibration images)')
    if args.calib and not args.int8:
        parser.error('--calib is for --int8')
    if args.calib_num < 1:
        parser.error(f'--calib-num must be >= 1, got {args.calib_num}')
    return args


def check_inputs(cfg, image: str, shape):
    """Two (N, 3, H, W) inputs from one image: at the config's test size
    (or ``shape``) and, for a dynamic graph, a batch of 2 at 3/4 size."""
    from glore_mmseg.deploy.test_time_input import test_time_image
    first = test_time_image(cfg, image)
    resize = torch.nn.functional.interpolate
    if shape is not None:
        first = resize(torch.from_numpy(first), size=tuple(shape),
                       mode='bilinear').numpy()
        return [first, first[..., ::-1].copy()]
    height, width = first.shape[2:]
    second = resize(torch.from_numpy(first),
                    size=(max(32, height * 3 // 4), max(32, width * 3 // 4)),
                    mode='bilinear').numpy()
    return [first, np.concatenate([second, second[..., ::-1]])]


def int8_agreement(model, path: str, images) -> float:
    """Share of int8 labels equal to PyTorch float32's on ``images``."""
    session = onnx_session(path)
    equal = total = 0
    for image in images:
        with torch.no_grad():
            reference = model(torch.from_numpy(image))
        output = run_session(session, image)
        if getattr(model, 'argmax', False):
            labels, reference = output, reference.numpy()
        else:  # logits or scores: compare their argmax over classes
            labels, reference = output.argmax(1), reference.argmax(1).numpy()
        equal += int((labels == reference).sum())
        total += labels.size
    return equal / total


def describe(record) -> str:
    text = f'input {tuple(record["shape"])}: '
    if 'max_abs_diff' in record:
        return text + f'max |onnxruntime - PyTorch| = ' \
            f'{record["max_abs_diff"]:.3g}'
    return text + (f'label agreement {record["label_agreement"]:.6f}, '
                   f'{record["unexplained"]} differing pixel(s) not at a '
                   'tie')


def export_and_check(args, cfg) -> bool:
    model, task = build_export_model(cfg, args.checkpoint, args.argmax)
    metadata = dict(
        task=task, output=model.output_name, config=osp.basename(
            cfg.filename), input='image: float32 (N, 3, H, W), RGB, 0-255',
        **{key: value for key, value in
           checkpoint_dataset_meta(args.checkpoint).items()
           if key in ('classes', 'palette')})
    if task == 'segmentor':
        metadata['align_corners'] = bool(model.align_corners)
    fp32_path = args.out
    if args.int8:
        handle, fp32_path = tempfile.mkstemp(
            dir=osp.dirname(osp.abspath(args.out)), suffix='.fp32.onnx')
        os.close(handle)
    try:
        export_onnx(model, fp32_path, model.output_name, shape=args.shape,
                    opset=args.opset, legacy=args.legacy, metadata=metadata)
        images = None if args.check is None else check_inputs(
            cfg, args.check, args.shape)
        records = check_onnx(model, fp32_path, args.shape, images,
                             args.tolerance)
        for record in records:
            print(describe(record))
        passed = all(record['ok'] for record in records)
        print(f'{"within" if passed else "ABOVE"} the tolerance '
              f'{args.tolerance:g}')
        if args.int8:
            passed &= quantize(args, cfg, model, fp32_path)
    finally:
        if args.int8 and osp.exists(fp32_path):
            os.remove(fp32_path)
    return passed


def quantize(args, cfg, model, fp32_path: str) -> bool:
    from glore_mmseg.deploy.quantization import quantize_int8
    from glore_mmseg.deploy.test_time_input import test_time_images
    paths = list_images(args.calib)[:args.calib_num]
    images = test_time_images(cfg, paths)
    if args.shape is not None:
        images = [torch.nn.functional.interpolate(
            torch.from_numpy(image), size=tuple(args.shape),
            mode='bilinear').numpy() for image in images]
    quantize_int8(fp32_path, args.out, images)
    agreement = int8_agreement(model, args.out, images)
    passed = agreement >= args.min_agreement
    print(f'int8 on {len(images)} calibration image(s): label agreement '
          f'with PyTorch float32 {agreement:.4f} '
          f'({"at least" if passed else "BELOW"} {args.min_agreement})')
    return passed


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        sys.exit(f'error: checkpoint {args.checkpoint!r} not found')
    if args.check is not None and not osp.isfile(args.check):
        sys.exit(f'error: --check image {args.check!r} not found')
    cfg = Config.fromfile(find_config(args.config))
    passed = export_and_check(args, cfg)
    print(f'wrote {args.out}')
    if not passed:
        sys.exit(1)


if __name__ == '__main__':
    main()

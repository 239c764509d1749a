"""Test (and evaluate) a segmentor or classifier with mmengine's Runner.

mmseg's / mmpretrain's ``tools/test.py`` plus: ``import glore_mmseg``,
checks of the data and checkpoint paths before the Runner is built,
``--launcher pytorch`` on machines without CUDA (gloo), and for Cityscapes
segmentors:

* ``--cityscapes-eval``: the four official scores from cityscapesscripts
  (class IoU / iIoU, category IoU / iIoU) beside mmseg's mIoU;
* ``--submit OUT``: a test-server submission (labelId PNGs + zip) of the
  test split;
* ``--inference whole|slide`` and ``--tta flip|ms|ms-flip``.

``--out``, ``--show-dir`` and ``--tta`` / ``--tta flip`` work for both
kinds; an option of the other kind is refused with one line.
"""
import argparse
import os.path as osp
import sys

from ..engine.inference_options import (apply_classifier_tta,
                                        apply_test_time_options)
from ..engine.runner import build_runner
from ..evaluation.submission_config import configure_submission
from .args import add_runner_args, add_test_time_args, load_config


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description='Test (and evaluate) a segmentor or a classifier')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out',
        help='segmentors: save the predicted label PNGs to this directory; '
        'classifiers: dump the predictions to this .pkl file')
    parser.add_argument(
        '--show-dir',
        help='save every test image with its prediction painted on it to '
        'this directory')
    parser.add_argument(
        '--cityscapes-eval',
        action='store_true',
        help='segmentors: also report the official Cityscapes scores '
        '(cityscapesscripts: class IoU, class iIoU, category IoU, category '
        'iIoU); needs *_gtFine_labelIds.png and *_gtFine_instanceIds.png')
    parser.add_argument(
        '--submit',
        metavar='OUT',
        help='segmentors: run over <data_root>/leftImg8bit/test and write a '
        'Cityscapes test-server submission: OUT/<city>/*.png (labelIds) and '
        'OUT/submission.zip')
    add_test_time_args(parser)
    add_runner_args(parser)
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.submit and (args.cityscapes_eval or args.out):
        parser.error('--submit writes the test split without labels; it '
                     'cannot be combined with --cityscapes-eval or --out')
    return args


def is_classifier(cfg) -> bool:
    """An mmpretrain config (the segmentation configs are mmseg's)."""
    return cfg.get('default_scope') == 'mmpretrain'


def refuse_segmentation_options(args) -> None:
    """Exit with one line if a segmentation-only option is given."""
    used = [
        option for option, value in (
            ('--cityscapes-eval', args.cityscapes_eval),
            ('--submit', args.submit), ('--inference', args.inference),
            ('--tta-scales', args.tta_scales),
            (f'--tta {args.tta}', args.tta in ('ms', 'ms-flip'))) if value
    ]
    if used:
        sys.exit(f'tools/test.py: {", ".join(used)} needs a segmentation '
                 f'(mmseg) config; {args.config} is a classifier '
                 '(mmpretrain)')


def configure_classifier(cfg, args) -> None:
    """``--out``, ``--show-dir`` and ``--tta`` as mmpretrain runs them."""
    refuse_segmentation_options(args)
    if args.show_dir and args.tta:
        sys.exit('tools/test.py: --show-dir and --tta together need a '
                 'segmentation (mmseg) config; mmpretrain draws single views')
    if args.show_dir:
        cfg.default_hooks.visualization.update(
            enable=True, out_dir=args.show_dir, interval=1)
    if args.tta:
        apply_classifier_tta(cfg, args.tta)
    if args.out:
        if not args.out.endswith(('.pkl', '.pickle')):
            sys.exit(f'tools/test.py: --out {args.out}: classifiers dump '
                     'their predictions to a .pkl file')
        evaluators = cfg.test_evaluator
        if not isinstance(evaluators, (list, tuple)):
            evaluators = [evaluators]
        cfg.test_evaluator = list(evaluators) + [
            dict(type='mmengine.DumpResults', out_file_path=args.out)
        ]


def configure_segmentor(cfg, args) -> None:
    """The Cityscapes and test-time options of an mmseg config."""
    if args.show_dir:
        cfg.default_hooks.visualization = dict(
            type='SegTestVisualizationHook', draw=True, interval=1)
        cfg.visualizer.save_dir = args.show_dir
    try:
        apply_test_time_options(cfg, args.tta, args.tta_scales,
                                args.inference)
    except (KeyError, ValueError) as error:
        sys.exit(f'tools/test.py: {error.args[0]}')
    if args.submit:
        configure_submission(cfg, args.submit, args.checkpoint)
        return
    if args.out is not None:
        cfg.test_evaluator['output_dir'] = args.out
        cfg.test_evaluator['keep_results'] = True
    if args.cityscapes_eval:
        cfg.test_evaluator = [
            cfg.test_evaluator,
            dict(
                type='CityscapesOfficialMetric',
                output_dir=osp.join(cfg.work_dir, 'cityscapes_labelIds'),
                keep_results=True)
        ]


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args)
    cfg.load_from = args.checkpoint

    if is_classifier(cfg):
        configure_classifier(cfg, args)
    else:
        configure_segmentor(cfg, args)
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='ProgressBarHook')
    ]

    runner = build_runner(cfg, mode='test', verify_images=bool(args.submit))
    runner.test()

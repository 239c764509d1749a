"""Test (and evaluate) a segmentor or classifier with mmengine's Runner.

mmseg's ``tools/test.py`` plus: ``import glore_mmseg``, checks of the data
and checkpoint paths before the Runner is built, ``--launcher pytorch`` on
machines without CUDA (gloo), and for Cityscapes:

* ``--cityscapes-eval``: the four official scores from cityscapesscripts
  (class IoU / iIoU, category IoU / iIoU) beside mmseg's mIoU;
* ``--submit OUT``: a test-server submission (labelId PNGs + zip) of the
  test split;
* ``--inference whole|slide`` and ``--tta flip|ms|ms-flip``.
"""
import argparse
import os.path as osp

import glore_mmseg  # noqa: F401  (compat fixes, registrations)
from glore_mmseg.utils.cli import (add_runner_args, add_test_time_args,
                                   build_runner, load_config)
from glore_mmseg.utils.submission import (check_output_dir, claim_output_dir,
                                          configure_submission,
                                          pack_submission, run_identity,
                                          summary)
from glore_mmseg.utils.test_time import apply_test_time_options


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='MMSeg test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out',
        help='save the predictions (label PNGs) to this directory')
    parser.add_argument(
        '--show-dir', help='save painted predictions to this directory')
    parser.add_argument(
        '--cityscapes-eval',
        action='store_true',
        help='also report the official Cityscapes scores (cityscapesscripts:'
        ' class IoU, class iIoU, category IoU, category iIoU); needs '
        '*_gtFine_labelIds.png and *_gtFine_instanceIds.png')
    parser.add_argument(
        '--submit',
        metavar='OUT',
        help='run over <data_root>/leftImg8bit/test and write a Cityscapes '
        'test-server submission: OUT/<city>/*.png (labelIds) and '
        'OUT/submission.zip')
    add_test_time_args(parser)
    add_runner_args(parser)
    args = parser.parse_args(argv)
    if args.submit and (args.cityscapes_eval or args.out):
        parser.error('--submit writes the test split without labels; it '
                     'cannot be combined with --cityscapes-eval or --out')
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args)
    cfg.load_from = args.checkpoint

    if args.show_dir:
        cfg.default_hooks.visualization.draw = True
        cfg.visualizer.save_dir = args.show_dir
    apply_test_time_options(cfg, args.tta, args.tta_scales, args.inference)
    if args.submit:
        configure_submission(cfg, args.submit)
    else:
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
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='ProgressBarHook')
    ]

    runner = build_runner(cfg, mode='test', verify_images=bool(args.submit))
    if args.submit:
        identity = run_identity(cfg, args.checkpoint)
        # Every rank refuses a foreign folder; rank 0 writes the manifest.
        if runner.rank == 0:
            claim_output_dir(args.submit, identity)
        else:
            check_output_dir(args.submit, identity)
    runner.test()
    if args.submit and runner.rank == 0:
        zip_path = pack_submission(
            args.submit, identity,
            expected=len(runner.test_dataloader.dataset))
        runner.logger.info(summary(args.submit, zip_path))


if __name__ == '__main__':
    main()

"""Test (and evaluate) a segmentor with mmengine's Runner.

mmseg's ``tools/test.py`` plus: ``import glore_mmseg``, checks of the data
and checkpoint paths before the Runner is built, and ``--launcher pytorch``
on machines without CUDA (gloo).
"""
import argparse

import glore_mmseg  # noqa: F401  (compat fixes, registrations)
from glore_mmseg.utils.cli import add_runner_args, build_runner, load_config


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
        '--tta',
        action='store_true',
        help='test-time augmentation (the config\'s tta_pipeline)')
    add_runner_args(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args)
    cfg.load_from = args.checkpoint

    if args.show_dir:
        cfg.default_hooks.visualization.draw = True
        cfg.visualizer.save_dir = args.show_dir
    if args.tta:
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model
    if args.out is not None:
        cfg.test_evaluator['output_dir'] = args.out
        cfg.test_evaluator['keep_results'] = True

    build_runner(cfg, mode='test').test()


if __name__ == '__main__':
    main()

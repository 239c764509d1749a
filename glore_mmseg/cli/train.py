"""Train a segmentor (mmseg) or classifier (mmpretrain) with mmengine's Runner.

mmseg's ``tools/train.py`` plus: ``import glore_mmseg`` (compatibility fixes
and registrations), the config's data and checkpoint paths are checked before
the Runner is built, ``--resume`` also takes a checkpoint path (and falls
back to the newest complete checkpoint when the latest is missing or
truncated), ``--launcher pytorch`` works on machines without CUDA (gloo),
and every config gets the training safeguards (stop on a non-finite loss,
atomic checkpoints, random state saved for exact resume).
"""
import argparse
import logging

from mmengine.logging import print_log

from ..engine.resume import prepare_resume
from ..engine.runner import build_runner
from ..engine.training_safeguards import add_training_safeguards
from .args import add_runner_args, load_config


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description='Train a segmentor')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        help='resume from the latest checkpoint in the work_dir, or from '
        'the checkpoint given')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic-mixed-precision training')
    add_runner_args(parser)
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def enable_amp(cfg) -> None:
    optim_wrapper = cfg.optim_wrapper.type
    if optim_wrapper == 'AmpOptimWrapper':
        print_log(
            'AMP training is already enabled in your config.',
            logger='current',
            level=logging.WARNING)
    elif optim_wrapper != 'OptimWrapper':
        raise ValueError('--amp needs optim_wrapper.type=OptimWrapper, got '
                         f'{optim_wrapper}')
    else:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args)
    if args.amp:
        enable_amp(cfg)
    add_training_safeguards(cfg)
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if cfg.get('resume'):
        prepare_resume(cfg)

    build_runner(cfg, mode='train').train()

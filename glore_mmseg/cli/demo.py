"""CPU demo of the main job: train, validate, checkpoint and resume.

Writes a small synthetic data set in the exact Cityscapes layout, then runs
the train command twice on the demo config (the real GloRe Cityscapes config
scaled down): first to half of the schedule, which validates (mIoU) and saves
a checkpoint, then with ``--resume`` to the end, which resumes from that
checkpoint. Takes about two minutes on two CPU cores.

Usage: python tools/demo.py [--work-dir DIR] [--overwrite]
(default DIR: work_dirs/demo_<timestamp>, so earlier runs are kept)
"""
import argparse
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time
from typing import Dict, List

from ..datasets import make_synthetic_cityscapes
from ..package_data import CONFIG_DIR

DEMO_CONFIG = osp.join(
    CONFIG_DIR, 'demo',
    'glore_r18-d8_1xb2-40iter_synthetic-cityscapes-256x512.py')
#: The folder holding this ``glore_mmseg``, for the training subprocesses.
PACKAGE_PARENT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--work-dir',
        default=time.strftime('work_dirs/demo_%Y%m%d_%H%M%S'),
        help='where the data, logs and checkpoints go')
    parser.add_argument(
        '--iters', type=int, default=40, help='total training iterations')
    parser.add_argument('--num-train', type=int, default=8)
    parser.add_argument('--num-val', type=int, default=4)
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='delete an earlier demo run in --work-dir first')
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def run_train(work_dir: str, data_root: str, max_iters: int,
              total_iters: int, resume: bool) -> None:
    options = [
        f'{loader}.dataset.data_root={data_root}'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')
    ]
    half = total_iters // 2
    options += [
        f'train_cfg.max_iters={max_iters}', f'train_cfg.val_interval={half}',
        f'default_hooks.checkpoint.interval={half}',
        f'param_scheduler.0.end={total_iters}'
    ]
    cmd = [
        sys.executable, '-m', 'glore_mmseg', 'train', DEMO_CONFIG,
        '--work-dir', work_dir, '--cfg-options', *options
    ] + (['--resume'] if resume else [])
    print('+ ' + ' '.join(cmd), flush=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [PACKAGE_PARENT, os.environ.get('PYTHONPATH')])))
    subprocess.run(cmd, check=True, env=env)


def read_val_metrics(work_dir: str) -> List[Dict]:
    """mIoU records of every validation, from mmengine's scalars.json."""
    records = []
    for run in sorted(os.listdir(work_dir)):
        path = osp.join(work_dir, run, 'vis_data', 'scalars.json')
        if osp.isfile(path):
            with open(path) as f:
                records += [r for r in map(json.loads, f) if 'mIoU' in r]
    return records


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.iters < 2:
        raise ValueError(f'--iters must be at least 2, got {args.iters}')
    work_dir = osp.abspath(args.work_dir)
    if osp.exists(osp.join(work_dir, 'last_checkpoint')):
        if not args.overwrite:
            raise FileExistsError(
                f'{work_dir} already holds a training run; pass --overwrite '
                'to delete it or choose another --work-dir')
        shutil.rmtree(work_dir)

    data_root = osp.join(work_dir, 'data', 'cityscapes')
    make_synthetic_cityscapes(
        data_root, {'train': args.num_train, 'val': args.num_val})
    print(f'Synthetic Cityscapes ({args.num_train} train, {args.num_val} '
          f'val images) written to {data_root}', flush=True)

    half = args.iters // 2
    run_train(work_dir, data_root, half, args.iters, resume=False)
    run_train(work_dir, data_root, args.iters, args.iters, resume=True)

    print('\nDemo finished:')
    for record in read_val_metrics(work_dir):
        print(f'  iteration {record["step"]:>4}: mIoU {record["mIoU"]:.2f} '
              f'aAcc {record["aAcc"]:.2f}')
    print(f'  checkpoints: {osp.join(work_dir, f"iter_{half}.pth")} '
          f'(resumed from), {osp.join(work_dir, f"iter_{args.iters}.pth")}')

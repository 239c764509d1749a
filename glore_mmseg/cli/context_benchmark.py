"""Does the head reason globally? Train FCN, NonLocal and GloRe on a task
only a far cue solves.

    python tools/context_benchmark.py [--models ...] [--seeds 0 1 2] \
        [--iters N] [--work-dir DIR] [--out JSON] [--cfg-options K=V ...]

Writes the context-cue task (glore_mmseg.datasets.context_cue: 320x64
images in the Cityscapes layout, identical grey squares at the right edge
whose class is the colour of a band at the left edge), then trains the
configs of configs/context_benchmark/ (same backbone, width, optimiser,
iterations and seeds; only the head differs: stock FCN, stock NonLocal, the
GloRe head, and the GloRe head with ``zero_init=True``) with mmengine's
Runner on the CPU, one seed after another, the models of a seed back to
back. Prints a table (mean ± sample standard deviation over the seeds) and
writes every run and the summary to JSON. About 16 minutes on 2 CPU cores.
"""
import argparse
import json
import os
import os.path as osp
import time

import torch
from mmengine.config import DictAction

from ..benchmarking.context import (local_ceiling, summarize, summary_table,
                                    train_and_measure)
from ..datasets import make_context_cue_cityscapes
from ..package_data import CONFIG_DIR

BENCHMARK_CONFIGS = osp.join(CONFIG_DIR, 'context_benchmark')
MODELS = {
    'fcn': ('FCN', 'fcn_r18-s8_1xb8-1k_context-cue-64x320.py'),
    'nonlocal': ('NonLocal', 'nonlocal_r18-s8_1xb8-1k_context-cue-64x320.py'),
    'glore': ('GloRe', 'glore_r18-s8_1xb8-1k_context-cue-64x320.py'),
    'glore-zeroinit': ('GloRe, zero_init=True',
                       'glore-zeroinit_r18-s8_1xb8-1k_context-cue-64x320.py'),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--models', nargs='+', choices=list(MODELS), default=list(MODELS))
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument(
        '--iters',
        type=int,
        help='training iterations (default: the configs\' 1000)')
    parser.add_argument('--num-train', type=int, default=200)
    parser.add_argument('--num-val', type=int, default=40)
    parser.add_argument(
        '--data-seed', type=int, default=0, help='seed of the data set')
    parser.add_argument(
        '--work-dir',
        default=time.strftime('work_dirs/context_benchmark_%Y%m%d_%H%M%S'))
    parser.add_argument(
        '--out', help='JSON file (default: WORK_DIR/context_benchmark.json)')
    parser.add_argument(
        '--threads',
        type=int,
        help='torch CPU threads (default: torch\'s, one per core)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='config keys to change in every model\'s config, as in '
        'tools/train.py (e.g. optim_wrapper.optimizer.lr=0.005)')
    parser.add_argument(
        '--verbose', action='store_true', help="the Runner's INFO log")
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.iters is not None and args.iters < 1:
        parser.error(f'--iters must be at least 1, got {args.iters}')
    if args.num_train < 1 or args.num_val < 1:
        parser.error('--num-train and --num-val must be at least 1')
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    start = time.perf_counter()
    data_root = osp.join(args.work_dir, 'data', 'context_cue')
    if osp.isdir(data_root):
        raise SystemExit(f'error: {data_root} exists; pick a new --work-dir '
                         'so that earlier runs are kept')
    make_context_cue_cityscapes(
        data_root, {'train': args.num_train, 'val': args.num_val},
        seed=args.data_seed)
    ceiling = local_ceiling(data_root)
    print(f'context-cue data: {args.num_train} train, {args.num_val} val '
          f'images in {data_root}; best accuracy on the squares without the '
          f'cue: {ceiling:.1f} %', flush=True)

    records = []
    width = max(len(MODELS[key][0]) for key in args.models)
    for seed in args.seeds:
        for key in args.models:
            name, config = MODELS[key]
            run_dir = osp.join(args.work_dir, f'{key}_seed{seed}')
            record = train_and_measure(
                osp.join(BENCHMARK_CONFIGS, config), data_root, run_dir, seed,
                args.iters, 'INFO' if args.verbose else 'ERROR',
                args.cfg_options)
            records.append(record)
            print(f'{name:{width}s} seed {seed}: cue-pixel acc '
                  f'{record["subset_acc"]:5.1f}  mIoU {record["mIoU"]:5.1f}  '
                  f'{record["ms_per_iter"]:.0f} ms/iter  cue gradient '
                  f'{record["cue_gradient"]:.2g}', flush=True)

    summary = summarize(records)
    names = {config: name for name, config in MODELS.values()}
    table = summary_table(summary, names)
    elapsed = time.perf_counter() - start
    result = dict(
        settings=dict(
            models=args.models,
            seeds=args.seeds,
            iters=records[0]['iters'],
            num_train=args.num_train,
            num_val=args.num_val,
            data_seed=args.data_seed,
            cfg_options=args.cfg_options,
            torch_threads=torch.get_num_threads(),
            cpu_count=os.cpu_count(),
            torch=torch.__version__),
        local_ceiling=ceiling,
        runs=records,
        summary=summary,
        table=table,
        total_seconds=elapsed)
    out = args.out or osp.join(args.work_dir, 'context_benchmark.json')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w') as f:
        json.dump(result, f, indent=2)
    print(f'\n{len(args.seeds)} seed(s), {records[0]["iters"]} iterations; '
          f'mean ± standard deviation over seeds. Without the cue the '
          f'squares allow at most {ceiling:.1f} %.\n')
    print(table)
    print(f'\ntotal {elapsed / 60:.1f} min; results: {out}')
    glore = [r for r in records if r['config'] == MODELS['glore'][1]]
    if glore:
        config = osp.join(BENCHMARK_CONFIGS, MODELS['glore'][1])
        print('projection maps of the first GloRe model: python '
              f'tools/visualize_projection.py {osp.relpath(config)} '
              f'{glore[0]["checkpoint"]} {data_root}/leftImg8bit/val '
              f'--out {args.work_dir}/projection_maps')
    return result

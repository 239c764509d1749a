"""CPU demo of the CUB-200-2011 classifiers: ResNet-18 and GloRe units after
Res3 / Res4, fine-tuned from the same start on a synthetic CUB-200-2011.

    python tools/cub_demo.py [--models ...] [--lrs 0.01 ...] [--iters N] \
        [--pretrain-iters N] [--work-dir DIR]

Writes a small data set in CUB-200-2011's layout (read by mmpretrain's
``CUB``), optionally pretrains the baseline ResNet-18 on a synthetic
ImageNet first (``--pretrain-iters``; stands in for the ImageNet weights
the configs load; ``--pretrained`` reuses such a backbone), then trains
each model of ``--models`` at each learning rate of ``--lrs`` with
mmengine's Runner: the same backbone and head weights, seed and data order
for all. Prints a table (first, largest and
final training loss, test top-1, where a run stopped on a non-finite loss)
and writes the loss curves as JSON and a PNG. The defaults: the three
configs, 20 iterations each, 64-pixel crops, 4 classes.
"""
import argparse
import json
import os
import os.path as osp
import time
from typing import List

import torch

from ..benchmarking.fine_tuning import (CUB_CONFIG_DIR, CUB_CONFIGS, VARIANTS,
                                        backbone_checkpoint, configure_cub_run,
                                        initial_checkpoint, loss_summary,
                                        train_and_record)
from ..datasets import make_synthetic_cub, make_synthetic_imagenet
from ..visualization import plot_loss_curves


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--models', nargs='+', choices=list(VARIANTS),
        default=list(CUB_CONFIGS),
        help='models: the three configs, or variants of the Res4 model '
        '(w1: blocker starting at weight 1, norm: projection x 1/L, n128: '
        '128 nodes, normeval: the ResNet\'s norm_eval=True)')
    parser.add_argument(
        '--lrs', nargs='+', type=float,
        help="learning rates (default: the configs' 0.01)")
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--crop-size', type=int, default=64)
    parser.add_argument('--num-classes', type=int, default=4)
    parser.add_argument('--train-per-class', type=int, default=4)
    parser.add_argument('--test-per-class', type=int, default=2)
    parser.add_argument(
        '--pretrain-iters', type=int, default=0,
        help='pretrain the ResNet-18 on a synthetic ImageNet for this many '
        'iterations first (0: every model starts from the same random '
        'backbone)')
    parser.add_argument(
        '--pretrained',
        help='checkpoint whose backbone.* weights start every model (e.g. '
        'the pretrained_backbone.pth of an earlier demo run) instead of '
        'pretraining')
    parser.add_argument('--pretrain-classes', type=int, default=8)
    parser.add_argument('--pretrain-lr', type=float, default=0.05)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--threads', type=int,
        help="torch CPU threads (default: torch's, one per core)")
    parser.add_argument(
        '--work-dir',
        default=time.strftime('work_dirs/cub_demo_%Y%m%d_%H%M%S'))
    parser.add_argument(
        '--out', help='JSON of every run (default: WORK_DIR/cub_demo.json)')
    parser.add_argument(
        '--plot', help='PNG of the loss curves (default: '
        'WORK_DIR/loss_curves.png)')
    parser.add_argument(
        '--verbose', action='store_true', help="the Runner's INFO log")
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ('iters', 'batch_size', 'crop_size', 'num_classes',
                 'train_per_class', 'test_per_class', 'pretrain_classes'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be at least 1, '
                         f'got {getattr(args, name)}')
    if args.pretrain_iters < 0:
        parser.error('--pretrain-iters must be >= 0')
    if args.pretrained and args.pretrain_iters:
        parser.error('give --pretrained or --pretrain-iters, not both')
    if args.pretrained and not osp.isfile(args.pretrained):
        parser.error(f'--pretrained: no file {args.pretrained!r}')
    return args


def pretrain_backbone(args: argparse.Namespace, image_size, log_level: str
                      ) -> str:
    """Train the baseline on a synthetic ImageNet; its backbone file."""
    root = osp.join(args.work_dir, 'data', 'imagenet')
    make_synthetic_imagenet(
        root, num_classes=args.pretrain_classes,
        per_class={'train': 2 * args.train_per_class, 'val': 1},
        image_size=image_size, seed=args.seed + 1)
    run_dir = osp.join(args.work_dir, 'pretrain')
    cfg = configure_cub_run(
        osp.join(CUB_CONFIG_DIR, CUB_CONFIGS['resnet18']), root, run_dir,
        args.pretrain_iters, args.pretrain_classes, args.crop_size,
        args.batch_size, args.seed, lr=args.pretrain_lr, imagenet=True,
        log_level=log_level)
    record = train_and_record(cfg)
    if record['diverged_at'] is not None:
        raise RuntimeError('pretraining stopped on a non-finite loss at '
                           f'iteration {record["diverged_at"]}')
    losses = loss_summary(record['losses'])
    print(f'pretrained ResNet-18: {args.pretrain_iters} iterations on '
          f'{args.pretrain_classes} synthetic ImageNet classes, loss '
          f'{losses["first"]:.3f} -> {losses["final"]:.3f} (last 10), val '
          f'top-1 {record["top1"]:.1f} %', flush=True)
    return backbone_checkpoint(
        osp.join(run_dir, f'iter_{args.pretrain_iters}.pth'),
        osp.join(args.work_dir, 'pretrained_backbone.pth'))


def table(records: List[dict]) -> str:
    """Markdown table of the runs."""

    def number(value, digits=3):
        return '-' if value is None else f'{value:.{digits}g}'

    lines = ['| model | lr | first loss | largest loss | final loss '
             '(last 10) | test top-1 % | unit blocker mean abs weight | '
             'stopped |', '|---|---|---|---|---|---|---|---|']
    for r in records:
        s = loss_summary(r['losses'])
        stopped = '-' if r['diverged_at'] is None else \
            f'non-finite loss at iter {r["diverged_at"]}'
        blockers = r.get('blocker_weight') or {}
        blocker = ', '.join(f'{v:.2g}' for v in blockers.values()) or '-'
        lines.append(f'| {r["model"]} | {r["lr"]:g} | {number(s["first"])} '
                     f'| {number(s["max"])} | {number(s["final"])} | '
                     f'{number(r["top1"], 3)} | {blocker} | {stopped} |')
    return '\n'.join(lines)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.perf_counter()
    data_root = osp.join(args.work_dir, 'data', 'CUB_200_2011')
    if osp.isdir(data_root):
        raise SystemExit(f'error: {data_root} exists; pick a new --work-dir '
                         'so that earlier runs are kept')
    resize = round(args.crop_size * 8 / 7)
    image_size = (round(resize * 4 / 3), resize)
    counts = make_synthetic_cub(
        data_root, args.num_classes,
        dict(train=args.train_per_class, test=args.test_per_class),
        image_size=image_size, seed=args.seed)
    print(f'synthetic CUB-200-2011: {counts["train"]} train, '
          f'{counts["test"]} test images of {args.num_classes} classes in '
          f'{data_root}', flush=True)
    log_level = 'INFO' if args.verbose else 'ERROR'
    pretrained = args.pretrained
    if args.pretrain_iters:
        pretrained = pretrain_backbone(args, image_size, log_level)
    # Every run starts from these backbone and head weights.
    start_cfg = configure_cub_run(
        osp.join(CUB_CONFIG_DIR, CUB_CONFIGS['resnet18']), data_root,
        args.work_dir, 1, args.num_classes, seed=args.seed,
        pretrained=pretrained)
    start = initial_checkpoint(
        start_cfg, osp.join(args.work_dir, 'initial_weights.pth'))

    records = []
    for lr in args.lrs or [None]:
        for model in args.models:
            config, backbone = VARIANTS[model]
            run_dir = osp.join(args.work_dir,
                               model if lr is None else f'{model}_lr{lr:g}')
            cfg = configure_cub_run(
                osp.join(CUB_CONFIG_DIR, config), data_root, run_dir,
                args.iters, args.num_classes, args.crop_size,
                args.batch_size, args.seed, lr, backbone, load_from=start,
                log_level=log_level)
            record = dict(model=model, config=config, backbone=backbone,
                          lr=cfg.optim_wrapper.optimizer.lr,
                          **train_and_record(cfg))
            records.append(record)
            print(table([record]).splitlines()[-1], flush=True)

    settings = {k: v for k, v in vars(args).items()
                if k not in ('out', 'plot', 'verbose')}
    settings.update(torch_threads=torch.get_num_threads(),
                    cpu_count=os.cpu_count(), torch=torch.__version__)
    result = dict(settings=settings, runs=records, table=table(records),
                  total_seconds=time.perf_counter() - started)
    os.makedirs(args.work_dir, exist_ok=True)
    out = args.out or osp.join(args.work_dir, 'cub_demo.json')
    with open(out + '.tmp', 'w') as f:
        json.dump(result, f, indent=2)
    os.replace(out + '.tmp', out)
    plot = args.plot or osp.join(args.work_dir, 'loss_curves.png')
    plot_loss_curves(
        {f'{r["model"]}, lr {r["lr"]:g}': r['losses'] for r in records},
        plot,
        title=f'synthetic CUB-200-2011, ResNet-18, {args.crop_size} px, '
        f'batch {args.batch_size}, seed {args.seed}')
    print(f'\n{result["table"]}\n\ntotal {result["total_seconds"]:.0f} s; '
          f'runs: {out}; loss curves: {plot}')
    return result

"""Time mmseg's stock Cityscapes train pipeline against the fast one.

Measures, in one run, single-threaded (OpenMP, OpenCV and torch on one
thread), on 2048x1024 Cityscapes-layout PNGs with real-photo texture:

* ms per image of every transform, for the stock pipeline
  (``mmseg::_base_/datasets/cityscapes.py``), the fast one decoding PNGs and
  the fast one reading the decoded cache
  (``configs/_base_/datasets/cityscapes_fast.py``); the three run
  interleaved on the same images under the same seeds;
* images per second per core (1000 / total ms);
* data-loader throughput (img/s) with 1, 2, ... worker processes.

Each measurement is repeated ``--repeats`` times and the median reported,
as other jobs may share the CPU. Without ``--data-root`` the images are
made first (``render_photo_image``) with their decoded cache.

    python tools/benchmark_data.py --out work_dirs/benchmark_data.json
    python tools/benchmark_data.py --data-root data/cityscapes --workers 1 4 8
"""
import argparse
import copy
import glob
import os
import os.path as osp
import statistics
import sys
import time
from typing import Dict, List

import cv2
import mmseg
import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmseg.registry import DATASETS, TRANSFORMS

from ..benchmarking.timing import write_json
from ..datasets import make_synthetic_cityscapes, render_photo_image
from ..datasets.transforms import PNGDecoder, cache_path, cache_png
from ..package_data import CONFIG_DIR

STOCK_CONFIG = osp.join(
    osp.dirname(mmseg.__file__), '.mim', 'configs', '_base_', 'datasets',
    'cityscapes.py')
FAST_CONFIG = osp.join(CONFIG_DIR, '_base_', 'datasets',
                       'cityscapes_fast.py')
# pipeline stage of each transform type, in pipeline order
STAGES = {
    'LoadImageFromFile': 'load image',
    'FastLoadImageFromFile': 'load image',
    'LoadAnnotations': 'load annotations',
    'FastLoadAnnotations': 'load annotations',
    'CheckSegMap': 'check labels',
    'RandomResize': 'resize',
    'RandomCrop': 'crop',
    'FusedRandomResizeCrop': 'resize + crop (fused)',
    'RandomFlip': 'flip',
    'PhotoMetricDistortion': 'photometric distortion',
    'FastPhotoMetricDistortion': 'photometric distortion',
    'PackSegInputs': 'pack',
}
VARIANTS = ('stock', 'fast (PNG)', 'fast (cache)')


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--data-root',
        help='Cityscapes root with leftImg8bit/train (default: make '
        '--images photo-texture images under --work-dir)')
    parser.add_argument(
        '--work-dir', default='work_dirs/benchmark_data',
        help='where the made images go')
    parser.add_argument('--images', type=int, default=6,
                        help='images to make (without --data-root)')
    parser.add_argument(
        '--image-size', type=int, nargs=2, default=[2048, 1024],
        metavar=('W', 'H'), help='size of the made images')
    parser.add_argument('--rounds', type=int, default=2,
                        help='passes over the images per repeat')
    parser.add_argument('--repeats', type=int, default=3,
                        help='repeats; the median is reported')
    parser.add_argument('--workers', type=int, nargs='*', default=[1, 2],
                        help='data-loader worker counts to time')
    parser.add_argument('--batches', type=int, default=8,
                        help='timed loader batches (of 2) per worker count')
    parser.add_argument('--out', help='write the results as JSON')
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def train_pipelines() -> Dict[str, List[dict]]:
    """The stock and the fast train pipeline configs, per variant."""
    stock = Config.fromfile(STOCK_CONFIG).train_pipeline
    fast = Config.fromfile(FAST_CONFIG).train_pipeline
    pipelines = {'stock': [dict(t) for t in stock]}
    for variant, cache in (('fast (PNG)', 'off'), ('fast (cache)',
                                                   'require')):
        pipelines[variant] = [
            dict(t, decoded_cache=cache) if 'decoded_cache' in t else dict(t)
            for t in fast
        ]
    return pipelines


def train_dataset(data_root: str, pipeline: List[dict]):
    """mmseg's CityscapesDataset over ``data_root``'s train split."""
    cfg = copy.deepcopy(Config.fromfile(STOCK_CONFIG).train_dataloader)
    return DATASETS.build(
        dict(cfg.dataset, data_root=data_root, pipeline=pipeline))


def prepare_data(args) -> str:
    """The data root to time: ``--data-root``, or made photo images."""
    if args.data_root:
        root = args.data_root
    else:
        root = osp.join(args.work_dir, 'cityscapes')
        if not glob.glob(osp.join(root, 'leftImg8bit', 'train', '*', '*')):
            width, height = args.image_size
            print(f'Writing {args.images} photo-texture {width}x{height} '
                  f'images to {root} ...')
            make_synthetic_cityscapes(
                root, {'train': args.images},
                image_size=(width, height),
                render=render_photo_image)
    if not osp.isdir(osp.join(root, 'leftImg8bit', 'train')):
        sys.exit(f'error: no {root}/leftImg8bit/train (--data-root)')
    return root


def ensure_cache(infos: List[dict], made_here: bool) -> None:
    """Decode the made images into the cache; for a given data root,
    require the cache (``tools/build_decoded_cache.py``)."""
    for info in infos:
        for path, channels in ((info['img_path'], 3),
                               (info['seg_map_path'], 1)):
            if made_here:
                cache_png(path, channels)
            elif not osp.isfile(cache_path(path)):
                sys.exit(f'error: no decoded cache {cache_path(path)}; run '
                         'python tools/build_decoded_cache.py DATA_ROOT '
                         'first')


def time_transforms(dataset_infos: List[dict], pipelines: Dict[str, list],
                    rounds: int) -> Dict[str, Dict[str, float]]:
    """Mean ms per image of every stage, per variant, interleaved."""
    transforms = {
        variant: [(STAGES[t['type']], TRANSFORMS.build(t)) for t in cfgs]
        for variant, cfgs in pipelines.items()
    }
    totals = {v: {} for v in pipelines}
    count = 0
    for r in range(rounds):
        for i, info in enumerate(dataset_infos):
            for variant, steps in transforms.items():
                np.random.seed(r * 1000 + i)
                results = copy.deepcopy(info)
                for stage, transform in steps:
                    start = time.perf_counter()
                    results = transform(results)
                    elapsed = (time.perf_counter() - start) * 1000
                    totals[variant][stage] = totals[variant].get(
                        stage, 0.0) + elapsed
            count += 1
    return {
        v: {stage: ms / count
            for stage, ms in stages.items()}
        for v, stages in totals.items()
    }


def time_decoders(infos: List[dict], rounds: int) -> Dict[str, float]:
    """Mean ms to decode one image PNG, per installed decoder."""
    decoders = [PNGDecoder('cv2')]
    if PNGDecoder('auto').name == 'pyspng':
        decoders.append(PNGDecoder('pyspng'))
    times = {d.name: [] for d in decoders}
    for _ in range(rounds):
        for info in infos:
            with open(info['img_path'], 'rb') as f:
                data = f.read()
            for decoder in decoders:
                start = time.perf_counter()
                decoder.image(data, info['img_path'])
                times[decoder.name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.mean(t) for name, t in times.items()}


def loader_throughput(data_root: str, pipeline: List[dict], workers: int,
                      batches: int) -> float:
    """Images per second out of mmengine's train data loader."""
    loader = Runner.build_dataloader(
        dict(
            batch_size=2,
            num_workers=workers,
            persistent_workers=False,
            sampler=dict(type='InfiniteSampler', shuffle=True, seed=0),
            dataset=dict(
                Config.fromfile(STOCK_CONFIG).train_dataloader.dataset,
                data_root=data_root,
                pipeline=pipeline)),
        seed=0)
    batch_iter = iter(loader)
    for _ in range(workers * 2):  # worker start-up and prefetch
        next(batch_iter)
    start = time.perf_counter()
    for _ in range(batches):
        next(batch_iter)
    elapsed = time.perf_counter() - start
    del batch_iter
    return batches * 2 / elapsed


def median_of(runs: List[Dict[str, Dict[str, float]]]) -> dict:
    """Per variant and stage, the median over repeats."""
    return {
        v: {
            stage: statistics.median(run[v][stage] for run in runs)
            for stage in runs[0][v]
        }
        for v in runs[0]
    }


def print_table(stages: Dict[str, Dict[str, float]],
                loaders: Dict[str, Dict[int, float]]) -> None:
    names = [
        s for s in dict.fromkeys(STAGES.values())
        if any(s in stages[v] for v in VARIANTS)
    ]
    print('\n| transform | ' + ' | '.join(f'{v} ms' for v in VARIANTS) +
          ' |')
    print('|---' * (len(VARIANTS) + 1) + '|')
    for name in names:
        cells = [
            f'{stages[v][name]:.1f}' if name in stages[v] else '-'
            for v in VARIANTS
        ]
        print(f'| {name} | ' + ' | '.join(cells) + ' |')
    totals = {v: sum(stages[v].values()) for v in VARIANTS}
    print('| **total** | ' +
          ' | '.join(f'**{totals[v]:.1f}**' for v in VARIANTS) + ' |')
    print('| img/s per core | ' +
          ' | '.join(f'{1000 / totals[v]:.1f}' for v in VARIANTS) + ' |')
    print('| speed-up | ' + ' | '.join(
        f'{totals["stock"] / totals[v]:.2f}x' for v in VARIANTS) + ' |')
    for workers in sorted(next(iter(loaders.values()))):
        print(f'| loader img/s, {workers} worker(s) | ' +
              ' | '.join(f'{loaders[v][workers]:.1f}' for v in VARIANTS) +
              ' |')


#: Thread pools of the libraries a data-loader worker may use.
THREAD_VARIABLES = ('OMP_NUM_THREADS', 'MKL_NUM_THREADS',
                    'OPENBLAS_NUM_THREADS')


def main(argv=None):
    args = parse_args(argv)
    # One thread per process, in this process and the loader workers.
    os.environ.update({name: '1' for name in THREAD_VARIABLES})
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    init_default_scope('mmseg')
    root = prepare_data(args)
    pipelines = train_pipelines()
    dataset = train_dataset(root, [])
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    ensure_cache(infos, made_here=not args.data_root)
    png_mb = statistics.mean(
        osp.getsize(info['img_path']) for info in infos) / 1e6
    print(f'{len(infos)} train images under {root} (PNG {png_mb:.2f} MB on '
          f'average); {args.repeats} repeats x {args.rounds} rounds')

    runs, loader_runs, decode_runs = [], [], []
    for repeat in range(args.repeats):
        runs.append(time_transforms(infos, pipelines, args.rounds))
        decode_runs.append(time_decoders(infos, args.rounds))
        loader_runs.append({
            v: {
                w: loader_throughput(root, pipelines[v], w, args.batches)
                for w in args.workers
            }
            for v in VARIANTS
        })
        total = {v: sum(runs[-1][v].values()) for v in VARIANTS}
        print(f'repeat {repeat + 1}: total ms/image ' +
              ', '.join(f'{v} {ms:.1f}' for v, ms in total.items()))
    stages = median_of(runs)
    loaders = {
        v: {
            w: statistics.median(run[v][w] for run in loader_runs)
            for w in args.workers
        }
        for v in VARIANTS
    }
    print_table(stages, loaders)
    decode = {
        name: statistics.median(run[name] for run in decode_runs)
        for name in decode_runs[0]
    }
    print('\nPNG decode only, ms per image: ' +
          ', '.join(f'{name} {ms:.1f}' for name, ms in decode.items()))
    write_json(
        args.out, 'cpu (1 thread)', [dict(png_decode_ms=decode)] + [
            dict(
                variant=v,
                ms_per_transform=stages[v],
                total_ms=sum(stages[v].values()),
                loader_img_per_s={str(w): s
                                  for w, s in loaders[v].items()})
            for v in VARIANTS
        ])

"""Pre-decode a Cityscapes split into memory-mappable arrays.

    python tools/build_decoded_cache.py data/cityscapes
    python tools/build_decoded_cache.py data/cityscapes --splits train val \
        --nproc 8

Writes ``<name>.npy`` next to every ``*_leftImg8bit.png`` (BGR uint8,
H x W x 3) and ``*_gtFine_labelTrainIds.png`` (uint8, H x W) of the splits:
the arrays mmseg's loaders decode. ``FastLoadImageFromFile`` and
``FastLoadAnnotations`` (the configs' default train pipeline) then map them
instead of decoding PNGs. Cityscapes train takes 2975 x 8.4 MB = 25 GB.
Valid cache files are kept, so an interrupted run resumes; ``--overwrite``
rewrites them all. Each file is written to a temporary name and renamed;
temporary files a killed run left behind are deleted first.
"""
import argparse
import glob
import os.path as osp
import sys
from functools import partial

from mmengine.utils import track_parallel_progress, track_progress

from ..datasets.transforms import cache_png, remove_partial_writes

SOURCES = (('leftImg8bit', '*_leftImg8bit.png', 3),
           ('gtFine', '*_gtFine_labelTrainIds.png', 1))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'data_root', help='folder holding leftImg8bit/ and gtFine/')
    parser.add_argument(
        '--splits', nargs='+', default=['train'],
        help='splits to cache (default: train, what the train pipeline reads)')
    parser.add_argument('--nproc', type=int, default=1, help='processes')
    parser.add_argument(
        '--overwrite', action='store_true',
        help='rewrite cache files that are already valid')
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def find_pngs(data_root: str, splits) -> list:
    """(png, channels) of every image and label map of the splits."""
    tasks = []
    for split in splits:
        for folder, pattern, channels in SOURCES:
            split_dir = osp.join(data_root, folder, split)
            if not osp.isdir(split_dir):
                sys.exit(f'error: no folder {split_dir} (data_root '
                         f'{data_root!r}, split {split!r})')
            pngs = sorted(
                glob.glob(osp.join(split_dir, '**', pattern), recursive=True))
            if not pngs:
                sys.exit(f'error: no {pattern} under {split_dir}')
            tasks += [(png, channels) for png in pngs]
    return tasks


def _cache_task(task, overwrite):
    png, channels = task
    return cache_png(png, channels, overwrite=overwrite)


def main(argv=None):
    args = parse_args(argv)
    tasks = find_pngs(args.data_root, args.splits)
    remove_partial_writes(
        osp.join(args.data_root, folder, split)
        for split in args.splits for folder, _, _ in SOURCES)
    work = partial(_cache_task, overwrite=args.overwrite)
    if args.nproc > 1:
        written = track_parallel_progress(work, tasks, args.nproc)
    else:
        written = track_progress(work, tasks)
    fresh = sum(1 for n in written if n)
    print(f'{len(tasks)} PNGs of {args.splits} under {args.data_root}: '
          f'{fresh} decoded and cached ({sum(written) / 1e9:.2f} GB), '
          f'{len(tasks) - fresh} already cached')

"""Scan a data split of a config before a long run.

Reads every image and label file the split's dataset lists (the dataset
class of the config, its own file scan) and reports missing, unreadable or
truncated files, labels whose size differs from their image and label
values that are neither a class nor the ignore index, with a progress bar
and a summary (counts by problem, the first files of each).

Usage: python tools/check_dataset.py CONFIG [--split train|val|test]
       [--workers N] [--show N] [--cfg-options key=value ...]
Exit status: 0 when the split is clean, 1 when problems were found.
"""
import argparse
import sys

from mmengine.config import Config, DictAction

from ..engine.dataset_check import check_dataset


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--split',
        choices=['train', 'val', 'test'],
        default='train',
        help='the <split>_dataloader whose data is scanned (default train)')
    parser.add_argument(
        '--workers',
        type=int,
        default=1,
        help='processes reading the files (default 1)')
    parser.add_argument(
        '--show',
        type=int,
        default=5,
        help='files listed per problem in the summary (default 5)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value pairs, e.g. '
        'train_dataloader.dataset.data_root=data/cityscapes')
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    reports = check_dataset(cfg, args.split, workers=args.workers)
    for report in reports:
        print(report.format(show=args.show))
    return 1 if any(report.problems for report in reports) else 0


if __name__ == '__main__':
    sys.exit(main())

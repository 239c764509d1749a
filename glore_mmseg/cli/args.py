"""Argument groups and config loading shared by the commands."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction

from ..engine.inference_options import TTA_MODES


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--work-dir``, ``--cfg-options``, ``--launcher``, ``--local-rank``.
    """
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value pairs, e.g. '
        'model.decode_head.num_units=2')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def add_test_time_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--inference``, ``--tta`` and ``--tta-scales`` (the arguments of
    :func:`~glore_mmseg.engine.inference_options.apply_test_time_options`)."""
    parser.add_argument(
        '--inference',
        choices=['whole', 'slide'],
        help='segmentors: whole-image or sliding-window (training crop '
        'size, 2/3 stride) inference; default: the config\'s model.test_cfg')
    parser.add_argument(
        '--tta',
        nargs='?',
        const='config',
        choices=TTA_MODES,
        help='test-time augmentation: flip, ms (multi-scale), ms-flip, or '
        'config (the config\'s tta_pipeline; the default of a bare --tta); '
        'classifiers: flip or config (flip without a tta_pipeline)')
    parser.add_argument(
        '--tta-scales',
        type=float,
        nargs='+',
        help='segmentors: multi-scale ratios of the test size (default 0.5 '
        '0.75 1.0 1.25 1.5 1.75)')


def add_image_tool_args(parser: argparse.ArgumentParser) -> None:
    """Add the positional ``config``, ``checkpoint``, ``images`` and the
    required ``--out`` of the tools that run a model on image files."""
    parser.add_argument(
        'config', help='config file or model name of model-index.yml')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('images', help='an image file or a folder of images')
    parser.add_argument('--out', required=True, help='output folder')


def load_config(args: argparse.Namespace) -> Config:
    """Read ``args.config`` and apply the arguments of :func:`add_runner_args`.

    The work_dir is taken from the command line, else the config, else
    ``./work_dirs/<config name>``.
    """
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'Config file not found: {args.config!r}')
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg

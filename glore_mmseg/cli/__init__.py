"""The ``glore-mmseg`` command: one subcommand per tool.

``glore-mmseg train CONFIG ...`` runs what ``python tools/train.py CONFIG
...`` runs, with the same arguments; ``glore-mmseg --help`` lists the
subcommands. A subcommand's module is imported only when it is run, so the
list costs nothing. Multi-GPU and multi-node runs stay on torchrun
(``tools/dist_train.sh``, ``tools/slurm_train.sh``).
"""
import argparse
import difflib
import importlib
import importlib.util
import sys
from typing import Dict, List, Optional, Tuple

#: Subcommand -> (module of ``glore_mmseg.cli``, one-line summary).
COMMANDS: Dict[str, Tuple[str, str]] = {
    'train': ('train', 'train a segmentor or classifier'),
    'test': ('test', 'test and evaluate a checkpoint; Cityscapes '
             'test-server export'),
    'infer': ('infer', 'segment image files: overlays and label PNGs'),
    'visualize-projection': ('visualize_projection',
                             'draw the projection maps of GloRe units'),
    'check-dataset': ('check_dataset',
                      'scan a config\'s data split before a long run'),
    'build-cache': ('build_cache',
                    'pre-decode a Cityscapes split for fast loading'),
    'convert': ('convert', 'convert released official weights'),
    'export': ('export', 'export a model to ONNX, checked with onnxruntime'),
    'benchmark': ('benchmark',
                  'time the GloRe segmentor against stock mmseg models'),
    'benchmark-cov': ('benchmark_cov',
                      'time covariance square roots (Newton-Schulz, eigh)'),
    'benchmark-data': ('benchmark_data',
                       'time the stock and the fast train pipelines'),
    'context-benchmark': ('context_benchmark',
                          'train FCN, NonLocal and GloRe on a far-cue task'),
    'demo': ('demo', 'CPU demo: synthetic Cityscapes, train, resume'),
    'cub-demo': ('cub_demo', 'CPU demo: the ResNet-18 CUB-200 configs '
                 'trained from one start'),
}

PROG = 'glore-mmseg'


def available_commands() -> Dict[str, Tuple[str, str]]:
    """The subcommands whose module is part of this installation."""
    return {
        name: entry
        for name, entry in COMMANDS.items()
        if importlib.util.find_spec(f'{__name__}.{entry[0]}') is not None
    }


def _module(command: str):
    commands = available_commands()
    if command not in commands:
        close = difflib.get_close_matches(command, list(commands), n=3)
        hint = f'; did you mean {" or ".join(close)}?' if close else ''
        raise SystemExit(f'{PROG}: unknown command {command!r}{hint} '
                         f'(see {PROG} --help)')
    return importlib.import_module(f'{__name__}.{commands[command][0]}')


def build_parser(command: str) -> argparse.ArgumentParser:
    """The argument parser of one subcommand (``'train'``,
    ``'visualize-projection'``, ...)."""
    parser = _module(command).build_parser()
    parser.prog = f'{PROG} {command}'
    return parser


def _exit_code(result) -> int:
    # A command's main() returns None, an exit status, or its results.
    return result if isinstance(result, int) else 0


def run(command: str, argv: Optional[List[str]] = None) -> None:
    """Run one subcommand with ``argv`` (default: ``sys.argv[1:]``) and exit
    with its status: the body of every ``tools/*.py``."""
    module = _module(command)
    sys.exit(_exit_code(module.main(argv)))


def _usage() -> str:
    lines = [f'usage: {PROG} COMMAND [ARGS ...]', '',
             'GloRe, GSoP-Net and 3G-Net for OpenMMLab: each command takes '
             'the arguments of its', 'tools/<command>.py; '
             f'"{PROG} COMMAND --help" lists them.', '', 'commands:']
    commands = available_commands()
    width = max(map(len, commands))
    lines += [f'  {name:<{width}}  {summary}'
              for name, (_, summary) in commands.items()]
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of the ``glore-mmseg`` console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ('-h', '--help'):
        print(_usage())
        return 0 if argv else 2
    if argv[0] == '--version':
        from ..version import __version__
        print(f'{PROG} {__version__}')
        return 0
    command, args = argv[0], argv[1:]
    module = _module(command)
    # argparse names the program after sys.argv[0].
    sys.argv[0] = f'{PROG} {command}'
    return _exit_code(module.main(args))

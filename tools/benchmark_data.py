"""Time mmseg's stock Cityscapes train pipeline against the fast one.

Runs ``glore_mmseg.cli.benchmark_data``, as ``glore-mmseg benchmark-data``
does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('benchmark-data')

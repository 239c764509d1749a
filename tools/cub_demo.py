"""CPU demo of the ResNet-18 CUB-200-2011 configs, trained from one start.

Runs ``glore_mmseg.cli.cub_demo``, as ``glore-mmseg cub-demo`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('cub-demo')

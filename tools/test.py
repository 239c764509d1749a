"""Test (and evaluate) a segmentor or classifier with mmengine's Runner.

Runs ``glore_mmseg.cli.test``, as ``glore-mmseg test`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('test')

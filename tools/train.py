"""Train a segmentor (mmseg) or classifier (mmpretrain) with mmengine's Runner.

Runs ``glore_mmseg.cli.train``, as ``glore-mmseg train`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('train')

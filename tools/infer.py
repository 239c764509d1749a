"""Segment your own images: overlay and label PNGs for a file or a folder.

Runs ``glore_mmseg.cli.infer``, as ``glore-mmseg infer`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('infer')

"""Pre-decode a Cityscapes split into memory-mappable arrays.

Runs ``glore_mmseg.cli.build_cache``, as ``glore-mmseg build-cache`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('build-cache')

"""Convert released official weights into this package's module names.

Runs ``glore_mmseg.cli.convert``, as ``glore-mmseg convert`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('convert')

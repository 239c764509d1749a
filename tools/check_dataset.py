"""Scan a data split of a config before a long run.

Runs ``glore_mmseg.cli.check_dataset``, as ``glore-mmseg check-dataset`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('check-dataset')

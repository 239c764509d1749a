"""CPU demo of the main job: train, validate, checkpoint and resume.

Runs ``glore_mmseg.cli.demo``, as ``glore-mmseg demo`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('demo')

"""Does the head reason globally? FCN, NonLocal and GloRe on a far-cue task.

Runs ``glore_mmseg.cli.context_benchmark``, as
``glore-mmseg context-benchmark`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('context-benchmark')

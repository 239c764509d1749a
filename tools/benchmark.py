"""Time and measure the GloRe segmentor against stock mmseg R50-D8 models.

Runs ``glore_mmseg.cli.benchmark``, as ``glore-mmseg benchmark`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('benchmark')

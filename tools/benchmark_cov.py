"""Time covariance + matrix square root: Newton-Schulz vs eigendecomposition.

Runs ``glore_mmseg.cli.benchmark_cov``, as ``glore-mmseg benchmark-cov`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('benchmark-cov')

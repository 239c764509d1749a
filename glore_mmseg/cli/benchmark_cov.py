"""Time covariance + matrix square root: Newton-Schulz vs eigendecomposition.

The second-order pooling step of GSoP-Net2 / iSQRT-COV / 3G-Net on a batch of
reduced features (default B=64, d=256, 14x14 = 196 positions): covariance,
square root, upper triangle, then backward of a sum of the output, so both
passes are timed. Square roots compared:

* ``ns3`` / ``ns5``: :func:`glore_mmseg.ops.newton_schulz_sqrt`, 3 and 5
  steps (matrix products only);
* ``eigh``: ``torch.linalg.eigh`` then ``V diag(sqrt(w)) V^T`` (exact).

Times are medians (ms) over ``--iters`` steps after ``--warmup``.

    python tools/benchmark_cov.py --device cuda --out work_dirs/cov.json
    python tools/benchmark_cov.py --device cpu --iters 5
"""
import argparse
from typing import Callable, Dict

import torch

from ..benchmarking.timing import median_seconds, write_json
from ..ops import covariance, newton_schulz_sqrt, triangle_vector


def eigh_sqrt(matrix: torch.Tensor) -> torch.Tensor:
    """Exact square root of SPD matrices by eigendecomposition."""
    values, vectors = torch.linalg.eigh(matrix)
    root = values.clamp_min(0).sqrt()
    return (vectors * root.unsqueeze(-2)) @ vectors.transpose(-1, -2)


SQRTS: Dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    'ns3': lambda m: newton_schulz_sqrt(m, 3),
    'ns5': lambda m: newton_schulz_sqrt(m, 5),
    'eigh': eigh_sqrt,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device',
                        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--shape', nargs=3, type=int, default=[64, 256, 196],
                        metavar=('B', 'D', 'M'))
    parser.add_argument('--methods', nargs='+', default=list(SQRTS),
                        choices=list(SQRTS))
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--out', help='write the results as JSON here')
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    batch, dim, positions = args.shape
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(batch, dim, positions, generator=generator)
    # ReLU features, like the reduced maps the necks pool.
    features = features.relu().to(args.device).requires_grad_()
    results = []
    for method in args.methods:
        sqrt = SQRTS[method]

        def step():
            features.grad = None
            out = triangle_vector(sqrt(covariance(features)))
            out.sum().backward()

        seconds = median_seconds(step, args.device, args.warmup, args.iters)
        result = dict(method=method, shape=[batch, dim, positions],
                      fwd_bwd_ms=round(seconds * 1e3, 3))
        results.append(result)
        print(f'{method:5s} {args.device}: forward+backward '
              f'{result["fwd_bwd_ms"]:.2f} ms', flush=True)
    by_method = {r['method']: r['fwd_bwd_ms'] for r in results}
    for method in ('ns3', 'ns5'):
        if method in by_method and 'eigh' in by_method:
            print(f'{method} / eigh time: '
                  f'{by_method[method] / by_method["eigh"]:.2f}')
    device_name = (torch.cuda.get_device_name()
                   if args.device.startswith('cuda') else 'cpu')
    write_json(args.out, device_name, results)

"""Wall-clock timing helpers of the benchmark scripts."""
import json
import statistics
import time
from typing import Callable, Dict, List, Optional

import torch


def synchronize(device: str) -> None:
    """Wait for queued GPU work (no-op on CPU)."""
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def median_seconds(step: Callable[[], None], device: str, warmup: int,
                   iters: int) -> float:
    """Median wall time of ``step`` over ``iters`` runs after ``warmup``."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        synchronize(device)
        start = time.perf_counter()
        step()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def write_json(path: Optional[str], device: str, results: List[Dict]) -> None:
    """``{'device': ..., 'results': [...]}`` to ``path`` (if given)."""
    if path:
        with open(path, 'w') as f:
            json.dump(dict(device=device, results=results), f, indent=2)

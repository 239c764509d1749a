"""Wall-clock timing of several steps, interleaved round by round, so that
load changes on a shared machine hit every model alike."""
import statistics
import time
from typing import Callable, Dict, List, Sequence

from .timing import synchronize


def interleaved_order(names: Sequence[str], rounds: int) -> List[str]:
    """The run order: every name once per round, round ``r`` starting at
    name ``r mod n``, so no name always runs first or after the same one.

    Example: ``(A, B, C)``, 2 rounds -> ``A B C B C A``.
    """
    names = list(names)
    order = []
    for round_index in range(rounds):
        shift = round_index % len(names)
        order.extend(names[shift:] + names[:shift])
    return order


def time_interleaved(steps: Dict[str, Callable[[], None]], device: str,
                     warmup: int, rounds: int) -> Dict[str, Dict]:
    """Time each step ``rounds`` times, interleaved, after ``warmup``
    interleaved untimed rounds.

    Args:
        steps: Name -> argument-free step.
        device: Synchronised around each timed step.
        warmup: Untimed rounds first (compilation, allocator, caches).
        rounds: Timed rounds.

    Returns:
        Name -> ``min_s``, ``median_s``, ``max_s``, ``spread`` (max - min
        over median) and all ``times_s`` in run order.
    """
    for name in interleaved_order(steps, warmup):
        steps[name]()
    times = {name: [] for name in steps}
    for name in interleaved_order(steps, rounds):
        synchronize(device)
        start = time.perf_counter()
        steps[name]()
        synchronize(device)
        times[name].append(time.perf_counter() - start)
    stats = {}
    for name, values in times.items():
        median = statistics.median(values)
        stats[name] = dict(
            min_s=min(values), median_s=median, max_s=max(values),
            spread=(max(values) - min(values)) / median, times_s=values)
    return stats

"""Peak memory of one step: CUDA's allocator peak, or on the CPU the peak
resident set size of a fresh process that builds the model and runs the
step once.

Run as ``python -m glore_mmseg.benchmarking.peak_memory '<task JSON>'``
(what :func:`peak_rss_in_fresh_process` does): prints one JSON line.
"""
import json
import os
import os.path as osp
import resource
import subprocess
import sys
from typing import Callable, Dict

import torch

from .timing import synchronize

#: What a fresh-process task runs.
TASKS = ('train', 'inference', 'head_inference')


def cuda_peak_bytes(step: Callable[[], None], device: str) -> Dict:
    """Bytes CUDA's allocator held at most while ``step`` ran
    (``peak_bytes``) and just before (``before_bytes``: model, optimizer
    state, inputs)."""
    synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    before = torch.cuda.memory_allocated(device)
    step()
    synchronize(device)
    return dict(peak_bytes=torch.cuda.max_memory_allocated(device),
                before_bytes=before)


def _max_rss_bytes() -> int:
    """This process's own peak RSS. Linux's ``ru_maxrss`` would carry the
    parent's RSS at fork over the exec, so read the address space's
    high-water mark instead."""
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB


def run_task(task: Dict) -> Dict:
    """Build the model of ``task`` on the CPU and run its step once.

    Args:
        task: ``what`` (one of TASKS), ``config`` (mmseg config file),
            ``shape`` ((batch, H, W) for train, (H, W) for inference,
            (B, C, H, W) for a head) and ``precision`` ('fp32'/'bf16').

    Returns:
        ``build_rss_bytes`` (peak after building) and ``peak_rss_bytes``
        (peak after the step), both of this whole process.
    """
    from . import steps
    from .segmentors import build_decode_head, build_segmentor
    what = task['what']
    if what not in TASKS:
        raise ValueError(f'task what must be one of {TASKS}, got {what!r}')
    if what == 'head_inference':
        model = build_decode_head(task['config'], 'cpu')
        step = steps.head_inference_step(model, task['shape'], 'cpu',
                                         task['precision'])
    else:
        model = build_segmentor(task['config'], 'cpu')
        make = steps.train_step if what == 'train' else steps.inference_step
        step = make(model, task['shape'], 'cpu', task['precision'])
    build = _max_rss_bytes()
    step()
    return dict(build_rss_bytes=build, peak_rss_bytes=_max_rss_bytes())


def peak_rss_in_fresh_process(task: Dict, timeout: float = 3600) -> Dict:
    """:func:`run_task` in a new Python process (nothing else allocated
    there before), with this package importable.

    Raises:
        RuntimeError: The process failed; its stderr tail is included.
    """
    package_root = osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__))))
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [package_root] + [p for p in [env.get('PYTHONPATH')] if p])
    result = subprocess.run(
        [sys.executable, '-m', __name__, json.dumps(task)],
        env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f'peak-memory process for {task} failed:\n'
                           f'{result.stderr[-3000:]}')
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == '__main__':
    import glore_mmseg  # noqa: F401  (compat fixes, registrations)
    print(json.dumps(run_task(json.loads(sys.argv[1]))))

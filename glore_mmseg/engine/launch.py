"""Distributed launch on machines without CUDA.

mmengine's ``init_dist`` always calls ``torch.cuda.set_device``, wraps models
in DDP with ``device_ids=[LOCAL_RANK]`` and keeps SyncBN, all of which fail
on a CPU-only machine. :func:`setup_cpu_distributed` prepares a torchrun
process for gloo instead, before the Runner is built.
"""
import logging

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.logging import print_log


def replace_sync_bn(node):
    """Return ``node`` with every ``type='SyncBN'`` dict turned into BN."""
    if isinstance(node, dict):
        if node.get('type') == 'SyncBN':
            node['type'] = 'BN'
        for value in node.values():
            replace_sync_bn(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            replace_sync_bn(value)
    return node


def setup_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Prepare a ``--launcher pytorch`` run on a machine without CUDA.

    Initialises the default process group with the gloo backend (reading
    torchrun's ``RANK``/``WORLD_SIZE``/``MASTER_*`` variables), so the Runner
    skips mmengine's CUDA-only ``init_dist``; turns SyncBN into BN (SyncBN
    needs GPU tensors, so each process keeps its own batch statistics); and
    wraps the model in DDP without ``device_ids``.

    Args:
        cfg: The config, changed in place.
        launcher: The ``--launcher`` argument.

    Returns:
        True when the process was set up for CPU distributed training.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    if launcher != 'pytorch':
        raise RuntimeError(
            f'--launcher {launcher} without CUDA is not supported; use '
            'torchrun with --launcher pytorch for CPU (gloo) runs')
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    replace_sync_bn(cfg.model)
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    if dist.get_rank() == 0:
        print_log(
            f'CPU distributed run: gloo backend, {dist.get_world_size()} '
            'processes, SyncBN replaced by per-process BN.',
            logger='current',
            level=logging.WARNING)
    return True

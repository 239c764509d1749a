"""Refuse a ``load_from`` checkpoint that does not fit the model.

mmengine's Runner loads ``load_from`` with ``strict=False``: a checkpoint
of another model (for example an ImageNet classifier given to a segmentor)
only logs a warning, and testing then reports the score of random weights.
:func:`check_load_from` compares the checkpoint's keys and shapes with the
built model first and raises :class:`CheckpointMismatchError` listing them.
"""
import logging
import re
from typing import Dict, List, Tuple

import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.model import BaseTTAModel, is_model_wrapper
from mmengine.runner.checkpoint import _load_checkpoint

#: Shown per kind of problem; the rest are counted.
MAX_KEYS_SHOWN = 20

# The Runner strips DataParallel's prefix the same way.
_WRAPPER_PREFIX = re.compile(r'^module\.')


class CheckpointMismatchError(RuntimeError):
    """A checkpoint's weights do not fit the model they are loaded into."""


def compare_state_dicts(model: Dict[str, torch.Tensor],
                        checkpoint: Dict[str, torch.Tensor]
                        ) -> Dict[str, List[str]]:
    """Keys of ``model`` the checkpoint lacks, keys it has that ``model``
    lacks, and keys whose shapes differ.

    Args:
        model: The model's ``state_dict()``.
        checkpoint: The checkpoint's state dict.

    Returns:
        ``{'missing': [...], 'unexpected': [...], 'shape': [...]}``; shape
        entries read ``key: checkpoint (a, b) vs model (c, d)``. BatchNorm's
        ``num_batches_tracked`` counters are ignored, as mmengine does.
    """
    def relevant(keys):
        return sorted(k for k in keys if not k.endswith('num_batches_tracked'))

    shape = [
        f'{key}: checkpoint {tuple(checkpoint[key].shape)} vs model '
        f'{tuple(value.shape)}' for key, value in model.items()
        if key in checkpoint and hasattr(checkpoint[key], 'shape')
        and checkpoint[key].shape != value.shape
    ]
    return dict(
        missing=relevant(set(model) - set(checkpoint)),
        unexpected=relevant(set(checkpoint) - set(model)),
        shape=sorted(shape))


def _checkpoint_state_dict(filename: str) -> Dict[str, torch.Tensor]:
    checkpoint = _load_checkpoint(filename, map_location='cpu')
    if isinstance(checkpoint, dict) and 'state_dict' in checkpoint:
        checkpoint = checkpoint['state_dict']
    if not isinstance(checkpoint, dict):
        raise CheckpointMismatchError(
            f'{filename!r} holds a {type(checkpoint).__name__}, not a state '
            'dict (or a dict with a "state_dict" entry)')
    return {_WRAPPER_PREFIX.sub('', key): value
            for key, value in checkpoint.items()}


def _describe(problems: Dict[str, List[str]], kinds: Tuple[str, ...]) -> str:
    titles = dict(missing='missing in the checkpoint',
                  unexpected='in the checkpoint, not in the model',
                  shape='shape mismatch')
    lines = []
    for kind in kinds:
        keys = problems[kind]
        if not keys:
            continue
        lines.append(f'{titles[kind]} ({len(keys)}):')
        lines += [f'  {key}' for key in keys[:MAX_KEYS_SHOWN]]
        if len(keys) > MAX_KEYS_SHOWN:
            lines.append(f'  ... and {len(keys) - MAX_KEYS_SHOWN} more')
    return '\n'.join(lines)


def check_load_from(model: torch.nn.Module, cfg: Config, mode: str) -> None:
    """Compare ``cfg.load_from`` with ``model`` before the Runner loads it.

    Testing (``mode='test'``) refuses missing keys and shape mismatches
    (the scores would come from untrained weights) and logs keys the model
    does not use. Training refuses all three unless the config sets
    ``load_from_partial=True``, which logs them and loads what fits.
    Resuming is not checked here (the Runner loads its own checkpoint
    strictly).

    Args:
        model: The model the Runner built (may be wrapped: DDP, TTA).
        cfg: The full config.
        mode: ``'train'`` or ``'test'``.

    Raises:
        CheckpointMismatchError: Listing the keys, naming the file.
    """
    filename = cfg.get('load_from')
    if not filename or (mode == 'train' and cfg.get('resume')):
        return
    # mmengine loads into the wrapped model of DDP and test-time
    # augmentation wrappers alike.
    while is_model_wrapper(model) or isinstance(model, BaseTTAModel):
        model = model.module
    problems = compare_state_dicts(model.state_dict(),
                                   _checkpoint_state_dict(filename))
    if mode == 'test':
        refused, logged = ('missing', 'shape'), ('unexpected', )
    elif cfg.get('load_from_partial', False):
        refused, logged = (), ('missing', 'unexpected', 'shape')
    else:
        refused, logged = ('missing', 'unexpected', 'shape'), ()
    if any(problems[kind] for kind in refused):
        hint = ('' if mode == 'test' else
                '\nSet load_from_partial=True in the config to load only the '
                'matching weights.')
        raise CheckpointMismatchError(
            f'Checkpoint {filename!r} does not fit the model of '
            f'{cfg.filename or "the config"}:\n'
            f'{_describe(problems, refused)}{hint}')
    if any(problems[kind] for kind in logged):
        print_log(
            f'Checkpoint {filename!r}, partial load:\n'
            f'{_describe(problems, logged)}',
            logger='current',
            level=logging.WARNING)

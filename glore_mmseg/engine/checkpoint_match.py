"""Refuse a checkpoint that does not fit the model.

mmengine's Runner loads ``load_from`` with ``strict=False`` and mmseg's
``init_model`` loads non-strictly too: a checkpoint of another model (an
ImageNet classifier given to a segmentor, a two-unit head given to a
one-unit config) only logs a warning, and testing then reports the score of
weights that were never loaded. One rule for every tool: missing, unexpected
and shape-mismatched keys are refused and listed
(:class:`CheckpointMismatchError`). :func:`check_load_from` checks the
Runner's ``load_from`` (training may ask for a partial load with
``load_from_partial=True``); :func:`load_state_dict_strictly` loads a
checkpoint already read (inferencer, projection maps).
"""
import logging
import os.path as osp
import re
from typing import Any, Dict, List, Tuple

import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.model import BaseTTAModel, is_model_wrapper
from mmengine.runner.checkpoint import _load_checkpoint

from ..compat.checkpoint_loading import (load_from_local_weights_only,
                                         weights_only_opted_out)

#: Shown per kind of problem; the rest are counted.
MAX_KEYS_SHOWN = 20

#: The kinds of problem :func:`compare_state_dicts` finds.
KINDS = ('missing', 'unexpected', 'shape')

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


def _state_dict_of(checkpoint: Any,
                   filename: str) -> Dict[str, torch.Tensor]:
    """The state dict of a loaded checkpoint, DataParallel prefix removed."""
    if isinstance(checkpoint, dict) and 'state_dict' in checkpoint:
        checkpoint = checkpoint['state_dict']
    if not isinstance(checkpoint, dict):
        raise CheckpointMismatchError(
            f'{filename!r} holds a {type(checkpoint).__name__}, not a state '
            'dict (or a dict with a "state_dict" entry)')
    return {_WRAPPER_PREFIX.sub('', key): value
            for key, value in checkpoint.items()}


def _checkpoint_state_dict(filename: str) -> Dict[str, torch.Tensor]:
    """Keys and shapes of ``filename``'s weights. A local file is
    memory-mapped (weights-only): its tensors are not read here, only by
    the Runner's load that follows."""
    if osp.isfile(osp.expanduser(filename)) and not weights_only_opted_out():
        checkpoint = load_from_local_weights_only(
            filename, map_location='cpu', mmap=True)
    else:
        checkpoint = _load_checkpoint(filename, map_location='cpu')
    return _state_dict_of(checkpoint, filename)


def _mismatch_error(filename: str, model_name: str,
                    problems: Dict[str, List[str]], kinds: Tuple[str, ...],
                    hint: str = '') -> CheckpointMismatchError:
    return CheckpointMismatchError(
        f'Checkpoint {filename!r} does not fit the model of '
        f'{model_name}:\n{_describe(problems, kinds)}{hint}')


def _unwrap(model: torch.nn.Module) -> torch.nn.Module:
    # mmengine loads into the wrapped model of DDP and test-time
    # augmentation wrappers alike.
    while is_model_wrapper(model) or isinstance(model, BaseTTAModel):
        model = model.module
    return model


def load_state_dict_strictly(model: torch.nn.Module,
                             checkpoint: Any,
                             filename: str,
                             model_name: str = 'the config') -> None:
    """Load a checkpoint's weights into ``model`` only if they all fit.

    Args:
        model: The model (may be wrapped: DDP, TTA).
        checkpoint: The loaded checkpoint (a dict with ``state_dict``, or a
            state dict).
        filename: Where it came from, named in the error.
        model_name: What the model is, named in the error (a config file).

    Raises:
        CheckpointMismatchError: Listing the missing, unexpected and
            shape-mismatched keys; nothing is loaded.
    """
    model = _unwrap(model)
    state_dict = _state_dict_of(checkpoint, filename)
    problems = compare_state_dicts(model.state_dict(), state_dict)
    if any(problems.values()):
        raise _mismatch_error(filename, model_name, problems, KINDS)
    model.load_state_dict(state_dict, strict=False)  # batch counters may lack


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

    Missing, unexpected and shape-mismatched keys are refused, for testing
    always; training loads a partial fit only when the config sets
    ``load_from_partial=True`` (logged). Resuming is not checked here (the
    Runner loads its own checkpoint strictly).

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
    problems = compare_state_dicts(
        _unwrap(model).state_dict(), _checkpoint_state_dict(filename))
    if not any(problems.values()):
        return
    if mode == 'train' and cfg.get('load_from_partial', False):
        print_log(
            f'Checkpoint {filename!r}, partial load:\n'
            f'{_describe(problems, KINDS)}',
            logger='current',
            level=logging.WARNING)
        return
    hint = ('' if mode == 'test' else
            '\nSet load_from_partial=True in the config to load only the '
            'matching weights.')
    raise _mismatch_error(filename, cfg.filename or 'the config', problems,
                          KINDS, hint)

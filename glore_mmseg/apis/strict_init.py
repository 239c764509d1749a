"""mmseg's ``init_model`` with the package's strict checkpoint rule.

mmseg's ``init_model`` loads weights with ``strict=False``: a checkpoint of
another model only logs a warning. :func:`init_model_strictly` refuses it
with the keys listed, as every tool of this package does
(:func:`~glore_mmseg.engine.checkpoint_match.load_state_dict_strictly`).
"""
from pathlib import Path
from typing import Optional, Union

import torch.nn as nn
from mmengine.config import Config
from mmengine.runner.checkpoint import _load_checkpoint

from ..engine.checkpoint_match import load_state_dict_strictly


def init_model_strictly(config: Union[str, Path, Config],
                        checkpoint: str,
                        device: str = 'cpu',
                        cfg_options: Optional[dict] = None) -> nn.Module:
    """Build a segmentor as ``mmseg.apis.init_model`` does and load all of
    ``checkpoint`` into it.

    Args:
        config: Config file or object.
        checkpoint: Checkpoint file (any scheme mmengine loads).
        device: Where the model goes.
        cfg_options: Config overrides, as ``init_model``'s.

    Returns:
        The segmentor in eval mode, ``cfg`` set, ``dataset_meta`` from the
        checkpoint's ``meta`` when it has one.

    Raises:
        CheckpointMismatchError: The checkpoint does not fit the model.
    """
    from mmseg.apis import init_model
    model = init_model(config, None, device=device, cfg_options=cfg_options)
    load_checkpoint_strictly(model, checkpoint)
    return model


def load_checkpoint_strictly(model: nn.Module, checkpoint: str) -> None:
    """Load all of ``checkpoint`` into ``model`` (a segmentor or classifier
    with its ``cfg``) and take ``dataset_meta`` from the checkpoint's
    ``meta`` when it has one.

    Raises:
        CheckpointMismatchError: The checkpoint does not fit the model.
    """
    loaded = _load_checkpoint(checkpoint, map_location='cpu')
    config = getattr(model, 'cfg', None)
    load_state_dict_strictly(model, loaded, checkpoint,
                             getattr(config, 'filename', None) or 'the config')
    meta = loaded.get('meta') or {} if isinstance(loaded, dict) else {}
    if meta.get('dataset_meta'):
        model.dataset_meta = meta['dataset_meta']

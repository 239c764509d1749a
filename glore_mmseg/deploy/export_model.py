"""Segmentors and classifiers as one function of an RGB image, to export.

The exported graph's contract:

* input ``image``: float32 (N, 3, H, W), RGB, values 0-255; the data
  preprocessor's channel order, mean and std are inside the graph;
* segmentors: output ``logits`` (N, num_classes, H, W) at the input size
  (mmseg's whole-image inference before its final resize to the original
  image), or ``labels`` (N, H, W) int64, their argmax;
* classifiers: output ``scores`` (N, num_classes), softmax probabilities
  as mmpretrain's ``predict`` gives them.
"""
import copy
from typing import Dict, Optional, Tuple

import torch.nn.functional as F
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope
from torch import Tensor, nn

from ..engine.checkpoint_match import (CheckpointMismatchError,
                                       _checkpoint_state_dict, _describe,
                                       compare_state_dicts)
from ..models.weight_init import init_weights_quietly
from .graph_input import ImageNormalization

#: ``default_scope`` of a config -> the kind of model it builds.
TASKS = {'mmseg': 'segmentor', 'mmpretrain': 'classifier'}


class SegmentorExport(nn.Module):
    """An mmseg ``EncoderDecoder`` from RGB image to full-size logits.

    Args:
        segmentor: The segmentor (eval mode); its ``data_preprocessor``
            gives the normalisation.
        argmax: Output the (N, H, W) int64 labels instead of the logits.
    """

    def __init__(self, segmentor: nn.Module, argmax: bool = False) -> None:
        super().__init__()
        self.normalization = ImageNormalization.from_data_preprocessor(
            segmentor.data_preprocessor)
        self.segmentor = segmentor
        self.align_corners = segmentor.decode_head.align_corners
        self.argmax = argmax

    @property
    def output_name(self) -> str:
        return 'labels' if self.argmax else 'logits'

    def forward(self, image: Tensor) -> Tensor:
        """(N, 3, H, W) RGB 0-255 -> logits (N, C, H, W) or labels (N, H, W).
        """
        logits = self.segmentor._forward(self.normalization(image))
        logits = F.interpolate(
            logits,
            size=image.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)
        return logits.argmax(1) if self.argmax else logits


class ClassifierExport(nn.Module):
    """An mmpretrain ``ImageClassifier`` from RGB image to class scores.

    Args:
        classifier: The classifier (eval mode).
    """

    output_name = 'scores'

    def __init__(self, classifier: nn.Module) -> None:
        super().__init__()
        self.normalization = ImageNormalization.from_data_preprocessor(
            classifier.data_preprocessor)
        self.classifier = classifier

    def forward(self, image: Tensor) -> Tensor:
        """(N, 3, H, W) RGB 0-255 -> (N, num_classes) softmax scores."""
        logits = self.classifier(self.normalization(image), mode='tensor')
        return logits.softmax(-1)


def config_task(cfg: Config) -> str:
    """``'segmentor'`` or ``'classifier'``, from the config's scope."""
    scope = cfg.get('default_scope')
    if scope not in TASKS:
        raise ValueError(
            f'{cfg.filename}: default_scope is {scope!r}; export handles '
            f'the scopes {sorted(TASKS)} (mmseg segmentors, mmpretrain '
            'classifiers)')
    return TASKS[scope]


def build_model(cfg: Config) -> nn.Module:
    """The config's model, randomly initialised, in eval mode on the CPU."""
    task = config_task(cfg)
    init_default_scope(cfg.default_scope)
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.pop('pretrained', None)
    # No downloads: weights come from the checkpoint.
    if isinstance(model_cfg.get('backbone'), dict):
        model_cfg.backbone.pop('init_cfg', None)
    if task == 'segmentor':
        from mmseg.registry import MODELS
    else:
        from mmpretrain.registry import MODELS
    model = MODELS.build(model_cfg)
    if task == 'segmentor' and model.__class__.__name__ != 'EncoderDecoder':
        raise ValueError(
            f'{cfg.filename}: export handles mmseg EncoderDecoder models, '
            f'got {model.__class__.__name__}')
    # SyncBN cannot run outside a process group; in eval mode it is BN.
    return revert_sync_batchnorm(model).eval()


def load_weights_strictly(model: nn.Module, filename: str) -> None:
    """Load ``filename`` into ``model``; refuse any key that does not fit.

    Raises:
        CheckpointMismatchError: Listing missing, unexpected and
            shape-mismatched keys.
    """
    state = _checkpoint_state_dict(filename)
    problems = compare_state_dicts(model.state_dict(), state)
    if any(problems.values()):
        raise CheckpointMismatchError(
            f'Checkpoint {filename!r} does not fit the model:\n' +
            _describe(problems, ('missing', 'unexpected', 'shape')))
    # num_batches_tracked may be absent (converted official weights).
    model.load_state_dict(state, strict=False)


def checkpoint_dataset_meta(filename: str) -> Dict:
    """``meta.dataset_meta`` of a checkpoint (classes, palette), or {}."""
    from mmengine.runner.checkpoint import _load_checkpoint
    checkpoint = _load_checkpoint(filename, map_location='cpu')
    meta = checkpoint.get('meta', {}) if isinstance(checkpoint, dict) else {}
    return dict((meta or {}).get('dataset_meta') or {})


def build_export_model(cfg: Config,
                       checkpoint: Optional[str],
                       argmax: bool = False) -> Tuple[nn.Module, str]:
    """The config's model with its weights, wrapped for export.

    Args:
        cfg: A segmentor (mmseg) or classifier (mmpretrain) config.
        checkpoint: Weights, loaded strictly; None keeps the random
            initialisation (tests, speed measurements).
        argmax: Segmentors: output labels instead of logits.

    Returns:
        ``(wrapper, task)``; task is ``'segmentor'`` or ``'classifier'``.
    """
    model = build_model(cfg)
    if checkpoint is None:
        init_weights_quietly(model)
    else:
        load_weights_strictly(model, checkpoint)
    task = config_task(cfg)
    if task == 'classifier':
        if argmax:
            raise ValueError('--argmax is for segmentors; classifiers '
                             'output scores')
        wrapper = ClassifierExport(model)
    else:
        wrapper = SegmentorExport(model, argmax=argmax)
    return wrapper.eval(), task

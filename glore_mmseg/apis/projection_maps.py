"""Projection weights of GloRe units (the node maps of the paper's Fig. 7),
of segmentors (mmseg) and classifiers (mmpretrain).

A GloRe unit pools the positions onto N graph nodes with weights
B = ``conv_proj(x)`` (times 1/L, L = number of positions, when the unit
normalises). Reshaped to the feature map's spatial shape, node n's weights
show which positions the node gathers. They are read with forward hooks on
each unit's ``conv_proj``, so the unit runs unchanged.
"""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config

from ..ops import GloReUnit
from .strict_init import init_model_strictly, load_checkpoint_strictly


def find_glore_units(model: nn.Module,
                     names: Optional[Sequence[str]] = None
                     ) -> 'OrderedDict[str, GloReUnit]':
    """The GloRe units of ``model`` by module name, in forward order.

    Args:
        model: Any module (segmentor, classifier, backbone, head).
        names: Keep only these units (module names such as
            ``'decode_head.glore_units.0'``); ``None`` keeps all.

    Returns:
        Module name -> unit.

    Raises:
        ValueError: The model has no GloRe unit, or a name is not one of its
            units (the message lists the units it has).
    """
    units = OrderedDict((name, module)
                        for name, module in model.named_modules()
                        if isinstance(module, GloReUnit))
    if not units:
        raise ValueError(
            f'{type(model).__name__} has no GloRe unit (GloReHead, '
            'GloReResNet(V1c) or a GloReUnit plugin)')
    if names is None:
        return units
    unknown = [name for name in names if name not in units]
    if unknown:
        raise ValueError(f'no GloRe unit named {unknown}; the model has '
                         f'{list(units)}')
    return OrderedDict((name, units[name]) for name in names)


class ProjectionRecorder:
    """Record the projection weights of GloRe units while a model runs.

    Use as a context manager around any forward pass; the hooks are removed
    on exit. Each call of a unit appends one tensor to ``maps[name]``.

    Args:
        model: Module holding the units.
        units: Unit names to record (see :func:`find_glore_units`);
            ``None`` records every unit.

    Attributes:
        maps: Unit name -> list of float32 tensors (B, N, *spatial), the
            weights the unit's node pooling multiplies the state features by:
            ``conv_proj(x)``, times 1/L when the unit normalises.
    """

    def __init__(self,
                 model: nn.Module,
                 units: Optional[Sequence[str]] = None) -> None:
        self.units = find_glore_units(model, units)
        self.maps: Dict[str, List[torch.Tensor]] = {
            name: []
            for name in self.units
        }
        self._handles: list = []

    def _hook(self, name: str, unit: GloReUnit):

        def record(module: nn.Module, inputs: tuple,
                   output: torch.Tensor) -> None:
            # The unit pools with proj.float() * (1 / L), L = positions.
            proj = output.detach().float()
            if unit.normalize:
                proj = proj * (1.0 / proj[0, 0].numel())
            self.maps[name].append(proj.cpu())

        return record

    def __enter__(self) -> 'ProjectionRecorder':
        for name, unit in self.units.items():
            self._handles.append(
                unit.conv_proj.register_forward_hook(self._hook(name, unit)))
        return self

    def __exit__(self, *exc) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []


def _is_classifier(model: nn.Module) -> bool:
    from mmpretrain.models.classifiers import BaseClassifier
    return isinstance(model, BaseClassifier)


def _check_classifier(model: nn.Module) -> None:
    if getattr(model, '_config', None) is None:
        raise ValueError(
            f'{type(model).__name__} has no _config to take the test '
            'pipeline from: build the classifier with mmpretrain.apis.'
            'get_model (or init_projection_model)')


def _classifier_batch(model: nn.Module, img: Union[str, np.ndarray]) -> dict:
    """One image through mmpretrain's own test pipeline and collation."""
    from mmengine.registry import DefaultScope
    from mmpretrain.apis import ImageClassificationInferencer
    _check_classifier(model)
    # The pipeline's transforms are looked up in the default scope's
    # registry, which an mmseg model built before may have set.
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        inferencer = ImageClassificationInferencer(model, pretrained=False)
        return next(iter(inferencer.preprocess([img])))


def init_projection_model(config: Union[str, Config],
                          checkpoint: Optional[str] = None,
                          device: str = 'cpu') -> nn.Module:
    """Build a segmentor or a classifier for :func:`projection_maps`.

    A config whose ``default_scope`` is ``'mmpretrain'`` (the
    ``configs/glore_cls`` classifiers) is built by mmpretrain's
    :func:`~mmpretrain.apis.get_model`, which keeps the config the test
    pipeline comes from; any other by mmseg's
    :func:`~mmseg.apis.init_model`, set to whole-image inference. The
    checkpoint must fit the model exactly (:mod:`.strict_init`). On the
    CPU, SyncBN layers become BatchNorm.

    Args:
        config: Config file or :class:`~mmengine.config.Config`.
        checkpoint: Weights to load; ``None`` keeps the initial weights.
        device: e.g. ``'cpu'``, ``'cuda:0'``.
    """
    from mmengine.model import revert_sync_batchnorm
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    if cfg.get('default_scope') == 'mmpretrain':
        from mmpretrain.apis import get_model
        model = get_model(cfg, pretrained=False, device=device)
        if checkpoint is not None:
            load_checkpoint_strictly(model, checkpoint)
    else:
        cfg.merge_from_dict(dict(model=dict(test_cfg=dict(mode='whole'))))
        if checkpoint is not None:
            model = init_model_strictly(cfg, checkpoint, device=device)
        else:
            from mmseg.apis import init_model
            model = init_model(cfg, None, device=device)
    if device == 'cpu':
        model = revert_sync_batchnorm(model)
    return model


def model_view(model: nn.Module, img: Union[str, np.ndarray]) -> np.ndarray:
    """The part of the image that :func:`projection_maps` covers, as RGB.

    A segmentor's whole-image inference covers the whole image (the test
    pipeline only resizes it): the image itself. A classifier's test
    pipeline may crop (mmpretrain's ImageNet recipe: ``ResizeEdge`` 256,
    ``CenterCrop`` 224): the image as that pipeline hands it to the model.

    Args:
        model: Segmentor or classifier, as for :func:`projection_maps`.
        img: Image file or BGR array (H, W, 3).

    Returns:
        uint8 RGB array (h, w, 3).
    """
    if _is_classifier(model):
        inputs = _classifier_batch(model, img)['inputs'][0]  # (3, h, w) BGR
        return np.ascontiguousarray(inputs.permute(1, 2, 0).numpy()[..., ::-1])
    import mmcv
    if isinstance(img, np.ndarray):
        return mmcv.bgr2rgb(img)
    return mmcv.imread(img, channel_order='rgb')


def projection_maps(model: nn.Module,
                    img: Union[str, np.ndarray],
                    units: Optional[Sequence[str]] = None
                    ) -> 'OrderedDict[str, torch.Tensor]':
    """Run a model on one image and return its units' projection maps.

    Segmentors: the image goes through the model's test pipeline with
    mmseg's :func:`~mmseg.apis.inference_model` (``model.cfg`` must be set,
    as :func:`mmseg.apis.init_model` does). Classifiers (mmpretrain, GloRe
    units in the backbone): through mmpretrain's own test pipeline and
    collation (those of its ``ImageClassificationInferencer``; the model
    must come from :func:`mmpretrain.apis.get_model`). Either is built by
    :func:`init_projection_model`.

    Args:
        model: mmseg segmentor with GloRe units in the head and/or backbone,
            or mmpretrain classifier with GloRe units in the backbone.
        img: Image file or BGR array (H, W, 3).
        units: Unit names (see :func:`find_glore_units`); ``None``: all.

    Returns:
        Unit name -> float32 tensor (N, h, w) at the unit's feature
        resolution, of the image as the test pipeline hands it to the model
        (:func:`model_view`).

    Raises:
        ValueError: The segmentor is set to sliding-window inference, or a
            unit ran more than once for the image: the maps need whole-image
            inference.
    """
    if _is_classifier(model):
        batch = _classifier_batch(model, img)
        with torch.no_grad(), ProjectionRecorder(model, units) as recorder:
            model.test_step(batch)
    else:
        from mmseg.apis import inference_model
        mode = (getattr(model, 'test_cfg', None) or {}).get('mode', 'whole')
        if mode != 'whole':
            raise ValueError(
                f"projection maps need whole-image inference, but the "
                f"model's test_cfg.mode is {mode!r} (set model.test_cfg="
                "dict(mode='whole'))")
        with ProjectionRecorder(model, units) as recorder:
            inference_model(model, img)
    maps = OrderedDict()
    for name, calls in recorder.maps.items():
        if len(calls) != 1 or calls[0].size(0) != 1:
            raise ValueError(
                f'GloRe unit {name} ran {len(calls)} times for one image; '
                "projection maps need whole-image inference (test_cfg "
                "mode='whole', no test-time augmentation)")
        maps[name] = calls[0][0]
    return maps

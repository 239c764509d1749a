"""mmseg's ``MMSegInferencer`` for this package's segmentors.

Differences from the stock inferencer:

* test-time augmentation: a config whose ``model`` is mmseg's
  ``SegTTAModel`` (see
  :func:`glore_mmseg.engine.inference_options.apply_test_time_options`)
  gets the checkpoint loaded into the wrapped segmentor;
* weights load strictly: a checkpoint that does not fit the config raises
  :class:`~glore_mmseg.engine.checkpoint_match.CheckpointMismatchError` with
  the missing, unexpected and mismatched keys instead of a warning;
* class names and palette come from the checkpoint's ``meta.dataset_meta``
  (what a training run, ``tools/demo.py`` and the converters write); a
  checkpoint without them raises instead of falling back to Cityscapes';
* the test pipeline loses ``LoadAnnotations`` also inside ``TestTimeAug``.
"""
from typing import Optional

import torch.nn as nn
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.model import BaseTTAModel
from mmseg.apis import MMSegInferencer

from ..datasets.pipeline_edits import drop_annotation_loading
from ..engine.checkpoint_match import load_state_dict_strictly


class GloReSegInferencer(MMSegInferencer):
    """``MMSegInferencer`` with TTA, strict loading and checkpoint classes.

    Args:
        model: Config (file or :class:`~mmengine.config.Config`).
        weights: Checkpoint file.
        device: ``'cpu'``, ``'cuda:0'``...; ``None`` picks CUDA if present.
    """

    def __init__(self,
                 model,
                 weights: str,
                 device: Optional[str] = None) -> None:
        self._weights = weights  # named in a mismatch error
        super().__init__(model=model, weights=weights, device=device)

    def _load_weights_to_model(self, model: nn.Module,
                               checkpoint: Optional[dict],
                               cfg: Optional[Config]) -> None:
        if checkpoint is None:
            raise ValueError('GloReSegInferencer needs a checkpoint')
        meta = checkpoint.get('meta', {}) or {}
        dataset_meta = meta.get('dataset_meta')
        if dataset_meta is None and 'CLASSES' in meta:  # mmseg 0.x
            dataset_meta = dict(
                classes=meta['CLASSES'], palette=meta.get('PALETTE'))
        if not dataset_meta or not dataset_meta.get('classes'):
            raise ValueError(
                'The checkpoint has no meta.dataset_meta with the class '
                'names and palette (training runs, tools/demo.py and '
                'tools/convert_official_weights.py write it); add it with '
                "torch.save(dict(ckpt, meta=dict(dataset_meta=dict("
                "classes=..., palette=...))), path)")
        segmentor = model.module if isinstance(model,
                                               BaseTTAModel) else model
        load_state_dict_strictly(segmentor, checkpoint, self._weights,
                                 (cfg.filename if cfg else None)
                                 or 'the config')
        model.dataset_meta = dict(
            classes=dataset_meta['classes'],
            palette=dataset_meta.get('palette'))

    def _init_pipeline(self, cfg: Config) -> Compose:
        cfg.test_dataloader.dataset.pipeline = drop_annotation_loading(
            cfg.test_dataloader.dataset.pipeline)
        return super()._init_pipeline(cfg)

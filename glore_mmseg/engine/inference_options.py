"""Test-time options of the paper and its peers, as config edits.

Whole-image or sliding-window inference (``model.test_cfg``) and horizontal
flip / multi-scale test-time augmentation (mmseg's ``SegTTAModel`` over a
``TestTimeAug`` pipeline). The GloRe head normalises its projection by the
number of positions, so every crop or scale sees features of one scale.
"""
import copy
from typing import List, Optional, Sequence

from mmengine.config import Config

#: Multi-scale ratios of mmseg's Cityscapes ``tta_pipeline`` (and PaddleSeg's
#: GloRe numbers): 0.5 to 1.75 of the single-scale test size.
DEFAULT_SCALES = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75)
TTA_MODES = ('config', 'flip', 'ms', 'ms-flip')


def set_inference_mode(cfg: Config, mode: str) -> None:
    """Whole-image or sliding-window inference.

    ``'slide'`` uses crops of the training crop size (``cfg.crop_size``, else
    ``model.data_preprocessor.size``) with 2/3 of it as stride, mmseg's
    Cityscapes choice (512x1024 crops, stride 341x683).
    """
    if mode == 'whole':
        cfg.model.test_cfg = dict(mode='whole')
        return
    if mode != 'slide':
        raise ValueError(f"inference mode must be 'whole' or 'slide', "
                         f'got {mode!r}')
    crop = cfg.get('crop_size') or cfg.model.get('data_preprocessor',
                                                 {}).get('size')
    if not crop:
        raise KeyError('slide inference needs the crop size: set crop_size '
                       '(or model.data_preprocessor.size) in the config')
    crop = tuple(int(c) for c in crop)
    cfg.model.test_cfg = dict(
        mode='slide',
        crop_size=crop,
        stride=tuple(int(round(c * 2 / 3)) for c in crop))


def _index_of(pipeline: Sequence[dict], transform: str) -> int:
    for i, step in enumerate(pipeline):
        if step.get('type') == transform:
            return i
    raise KeyError(f'the test pipeline has no {transform} step: '
                   f'{[step.get("type") for step in pipeline]}')


def build_tta_pipeline(test_pipeline: Sequence[dict],
                       flip: bool,
                       scales: Sequence[float] = (1.0, )) -> List[dict]:
    """A ``TestTimeAug`` pipeline made from a single-scale test pipeline.

    The pipeline's ``Resize`` step is repeated at ``scales`` times its
    ``scale`` (on Cityscapes, whose test Resize is the image size, this is
    mmseg's ``scale_factor`` ratios), each with and without a horizontal
    flip when ``flip``; the steps after ``Resize`` run on every view.

    Args:
        test_pipeline: ``LoadImageFromFile``, ``Resize(scale=...)``, then
            e.g. ``LoadAnnotations`` and ``PackSegInputs``.
        flip: Add horizontally flipped views.
        scales: Ratios of the test scale.
    """
    pipeline = copy.deepcopy(list(test_pipeline))
    at = _index_of(pipeline, 'Resize')
    resize = pipeline[at]
    if 'scale' not in resize:
        raise KeyError('build_tta_pipeline needs a Resize with scale=(w, h)'
                       f' in the test pipeline, got {resize}')
    width, height = resize['scale']
    resizes = [
        dict(resize, scale=(int(width * r), int(height * r))) for r in scales
    ]
    flips = [dict(type='RandomFlip', prob=0., direction='horizontal')]
    if flip:
        flips.append(dict(type='RandomFlip', prob=1., direction='horizontal'))
    return pipeline[:at] + [
        dict(
            type='TestTimeAug',
            transforms=[resizes, flips] + [[step]
                                           for step in pipeline[at + 1:]])
    ]


def apply_test_time_options(cfg: Config,
                            tta: Optional[str] = None,
                            scales: Optional[Sequence[float]] = None,
                            inference: Optional[str] = None) -> None:
    """Edit ``cfg`` for the chosen inference mode and test-time augmentation.

    Args:
        cfg: Full config.
        tta: ``None`` (off), ``'config'`` (the config's own
            ``tta_pipeline``), ``'flip'``, ``'ms'`` or ``'ms-flip'``.
        scales: Multi-scale ratios (``'ms'`` modes); default
            :data:`DEFAULT_SCALES`.
        inference: ``None`` (the config's), ``'whole'`` or ``'slide'``.
    """
    if inference is not None:
        set_inference_mode(cfg, inference)
    if tta is None:
        if scales:
            raise ValueError('--tta-scales needs --tta ms or ms-flip')
        return
    if tta not in TTA_MODES:
        raise ValueError(f'tta must be one of {TTA_MODES}, got {tta!r}')
    dataset = cfg.test_dataloader.dataset
    if tta == 'config':
        if 'tta_pipeline' not in cfg:
            raise KeyError('--tta config: the config has no tta_pipeline')
        dataset.pipeline = cfg.tta_pipeline
    else:
        if scales and not tta.startswith('ms'):
            raise ValueError('--tta-scales needs --tta ms or ms-flip')
        ratios = (scales or DEFAULT_SCALES) if tta.startswith('ms') else (
            1.0, )
        dataset.pipeline = build_tta_pipeline(
            dataset.pipeline, flip=tta.endswith('flip'), scales=ratios)
    _wrap_in_tta_model(cfg, default='SegTTAModel')


def _wrap_in_tta_model(cfg: Config, default: str) -> None:
    """``cfg.model`` inside the config's ``tta_model`` (else ``default``)."""
    if 'tta_model' not in cfg:
        cfg.tta_model = dict(type=default)
    cfg.tta_model.module = cfg.model
    cfg.model = cfg.tta_model


def apply_classifier_tta(cfg: Config, tta: str) -> None:
    """Flip test-time augmentation of an mmpretrain classifier.

    The image and its horizontal flip, scores averaged by mmpretrain's
    ``AverageClsScoreTTA`` (or the config's ``tta_model``). ``'config'``
    uses the config's ``tta_pipeline`` when it has one, else the flip, as
    mmpretrain's own ``tools/test.py --tta`` does.

    Args:
        cfg: Full mmpretrain config.
        tta: ``'config'`` or ``'flip'``.

    Raises:
        ValueError: ``tta`` is a multi-scale mode (segmentation only).
    """
    if tta not in ('config', 'flip'):
        raise ValueError(f'--tta {tta} needs a segmentation (mmseg) config;'
                         ' classifiers take --tta or --tta flip')
    dataset = cfg.test_dataloader.dataset
    if tta == 'config' and 'tta_pipeline' in cfg:
        dataset.pipeline = cfg.tta_pipeline
    else:
        *steps, pack = dataset.pipeline
        flips = [
            dict(type='RandomFlip', prob=0., direction='horizontal'),
            dict(type='RandomFlip', prob=1., direction='horizontal')
        ]
        dataset.pipeline = steps + [
            dict(type='TestTimeAug', transforms=[flips, [pack]])
        ]
    _wrap_in_tta_model(cfg, default='AverageClsScoreTTA')

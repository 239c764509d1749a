"""The context benchmark: does a head carry a far cue to where it matters?

Trains segmentors on the context-cue task
(:mod:`glore_mmseg.datasets.context_cue`) with mmengine's Runner and
measures, per run: mIoU, accuracy and mIoU on the cue-dependent pixels,
time per training iteration, parameters, whether the trained model's logits
at the squares depend on the cue band at all (their gradient there), and,
for GloRe heads, how much of each node's projection weight lies on the band
and on the squares. ``tools/context_benchmark.py`` is the command line.
"""
import os.path as osp
import statistics
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from cityscapesscripts.helpers.labels import name2label
from mmengine.config import Config
from mmengine.fileio import list_dir_or_file
from mmengine.runner import Runner
from PIL import Image

from ..apis.projection_maps import ProjectionRecorder
from ..datasets.context_cue import CUE_DEPENDENT_CLASSES, cue_band_width
from ..ops import GloReUnit

# Reported metrics: key in the run record -> column title.
METRIC_TITLES = {
    'subset_acc': 'cue-pixel acc',
    'subset_mIoU': 'cue mIoU',
    'mIoU': 'mIoU',
    'cue_gradient': 'cue gradient',
    'ms_per_iter': 'ms/iter',
}


def configure_run(config: str, data_root: str, work_dir: str, seed: int,
                  max_iters: Optional[int] = None,
                  log_level: str = 'WARNING',
                  cfg_options: Optional[dict] = None) -> Config:
    """The config of one run: its data root, work dir, seed and length,
    after ``cfg_options`` (``--cfg-options`` keys) are merged in."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    name = osp.splitext(osp.basename(config))[0]
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = data_root
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    # Unique per run: mmengine keys its logger and visualizer by this name.
    cfg.experiment_name = f'{name}_seed{seed}_{time.time_ns()}'
    cfg.log_level = log_level
    if max_iters is not None:
        cfg.train_cfg.max_iters = max_iters
        cfg.train_cfg.val_interval = max_iters
        cfg.default_hooks.checkpoint.interval = max_iters
        for scheduler in cfg.param_scheduler:
            scheduler.end = max_iters
    return cfg


def validation_batches(runner: Runner) -> List[dict]:
    """The validation set as preprocessed single-image batches."""
    model = runner.model
    batches = []
    for data in runner.val_dataloader:
        batches.append(model.data_preprocessor(data, False))
    return batches


def segment_logits(model: torch.nn.Module,
                   inputs: torch.Tensor) -> torch.Tensor:
    """Decode-head logits resized to the input, (B, classes, H, W)."""
    logits = model.decode_head(model.extract_feat(inputs))
    return F.interpolate(
        logits,
        size=inputs.shape[2:],
        mode='bilinear',
        align_corners=model.decode_head.align_corners)


def cue_gradient(model: torch.nn.Module, inputs: torch.Tensor,
                 gt: torch.Tensor, cue_classes: Sequence[int],
                 band_width: int) -> float:
    """Largest |d logits(cue-dependent pixels) / d input(cue band)|.

    Exactly 0 when no cue-dependent pixel's logits can see the band: then
    the model's receptive field at those pixels misses the cue entirely.

    Args:
        model: mmseg segmentor (put in eval mode here).
        inputs: Preprocessed images (B, 3, H, W).
        gt: Labels (B, H, W) in the model's class indices.
        cue_classes: Class indices decided by the cue.
        band_width: The band covers columns ``< band_width``.
    """
    model.eval()
    inputs = inputs.detach().clone().requires_grad_(True)
    logits = segment_logits(model, inputs)
    target = torch.isin(gt, torch.as_tensor(cue_classes, device=gt.device))
    # Squared logits: a plain sum could cancel by chance.
    (grad, ) = torch.autograd.grad(
        (logits.pow(2) * target.unsqueeze(1)).sum(), inputs)
    return grad[..., :band_width].abs().max().item()


def node_shares(model: torch.nn.Module, batches: Sequence[dict],
                band_width: int,
                cue_classes: Sequence[int]) -> Dict[str, Dict[str, list]]:
    """Share of each node's |projection weight| on the band and squares.

    Args:
        model: Segmentor with GloRe units.
        batches: Preprocessed single-image validation batches.
        band_width: The band covers input columns ``< band_width``.
        cue_classes: Class indices of the squares.

    Returns:
        Unit name -> ``{'band': [N floats], 'squares': [N floats]}``, each
        the mean over images of sum(|B_n| on the region) / sum(|B_n|), with
        the region taken at the feature resolution (nearest).
    """
    model.eval()
    totals: Dict[str, Dict[str, list]] = {}
    with torch.no_grad(), ProjectionRecorder(model) as recorder:
        for batch in batches:
            model.decode_head(model.extract_feat(batch['inputs']))
    for name, calls in recorder.maps.items():
        band_sum = squares_sum = 0.0
        for proj, batch in zip(calls, batches):
            weight = proj[0].abs()  # (N, h, w)
            gt = batch['data_samples'][0].gt_sem_seg.data[0]
            regions = torch.zeros((2, ) + gt.shape)
            regions[0, :, :band_width] = 1
            regions[1] = torch.isin(gt, torch.as_tensor(cue_classes)).float()
            regions = F.interpolate(
                regions[None], size=weight.shape[1:], mode='nearest')[0]
            total = weight.flatten(1).sum(1).clamp_min(1e-12)
            band_sum = band_sum + (weight * regions[0]).flatten(1).sum(1) / \
                total
            squares_sum = squares_sum + \
                (weight * regions[1]).flatten(1).sum(1) / total
        totals[name] = dict(
            band=(band_sum / len(batches)).tolist(),
            squares=(squares_sum / len(batches)).tolist())
    return totals


def train_and_measure(config: str, data_root: str, work_dir: str, seed: int,
                      max_iters: Optional[int] = None,
                      log_level: str = 'WARNING',
                      cfg_options: Optional[dict] = None) -> dict:
    """Train one segmentor on the task, validate it and measure it.

    Returns:
        A record: ``config``, ``seed``, ``iters``, ``params``,
        ``ms_per_iter`` (mean training iteration, data loading included,
        first 10 iterations left out), the validation metrics (``mIoU``,
        ``aAcc``, ``subset_acc``, ``subset_mIoU``), ``cue_gradient`` and,
        with GloRe units, ``node_shares``.
    """
    cfg = configure_run(config, data_root, work_dir, seed, max_iters,
                        log_level, cfg_options)
    runner = Runner.from_cfg(cfg)
    runner.train()
    hub = runner.message_hub
    iter_times = hub.get_scalar('train/time').data[0]
    record = dict(
        config=osp.basename(config),
        seed=seed,
        iters=int(cfg.train_cfg.max_iters),
        params=sum(p.numel() for p in runner.model.parameters()),
        ms_per_iter=float(np.mean(iter_times[10:] if len(iter_times) > 20
                                  else iter_times) * 1000))
    for key in ('mIoU', 'aAcc', 'subset_acc', 'subset_mIoU'):
        record[key] = float(hub.get_scalar(f'val/{key}').current())

    classes = list(runner.val_dataloader.dataset.metainfo['classes'])
    cue_classes = [classes.index(name) for name in CUE_DEPENDENT_CLASSES]
    batches = validation_batches(runner)
    band = cue_band_width(batches[0]['inputs'].shape[-1])
    record['cue_gradient'] = max(
        cue_gradient(runner.model, batch['inputs'],
                     batch['data_samples'][0].gt_sem_seg.data, cue_classes,
                     band) for batch in batches[:4])
    if any(isinstance(m, GloReUnit) for m in runner.model.modules()):
        record['node_shares'] = node_shares(runner.model, batches, band,
                                            cue_classes)
    record['checkpoint'] = osp.join(work_dir, f'iter_{record["iters"]}.pth')
    return record


def local_ceiling(data_root: str) -> float:
    """Best accuracy on the squares without the cue, in percent.

    The squares of both classes look the same, so a model that cannot see
    the cue does best by always answering the class with more training
    pixels; this is that class's share of the validation squares' pixels.
    """
    counts = {}
    for split in ('train', 'val'):
        folder = osp.join(data_root, 'gtFine', split)
        pixels = np.zeros(256, dtype=np.int64)
        for path in list_dir_or_file(
                folder, list_dir=False, suffix='_labelTrainIds.png',
                recursive=True):
            label = np.asarray(Image.open(osp.join(folder, path)))
            pixels += np.bincount(label.ravel(), minlength=256)
        counts[split] = pixels
    ids = [name2label[name].trainId for name in CUE_DEPENDENT_CLASSES]
    majority = max(ids, key=lambda i: counts['train'][i])
    return float(counts['val'][majority] / counts['val'][ids].sum() * 100)


def summarize(records: Sequence[dict]) -> Dict[str, dict]:
    """Mean, sample standard deviation and values per config and metric."""
    summary: Dict[str, dict] = {}
    for record in records:
        summary.setdefault(record['config'], dict(params=record['params']))
    for config, entry in summary.items():
        runs = [r for r in records if r['config'] == config]
        entry['seeds'] = [r['seed'] for r in runs]
        for key in METRIC_TITLES:
            values = [r[key] for r in runs]
            entry[key] = dict(
                mean=statistics.fmean(values),
                std=statistics.stdev(values) if len(values) > 1 else 0.0,
                values=values)
    return summary


def summary_table(summary: Dict[str, dict], names: Dict[str, str]) -> str:
    """Markdown table of a :func:`summarize` result.

    Args:
        summary: Per config file name.
        names: Config file name -> row title.
    """
    titles = ['model', 'params'] + list(METRIC_TITLES.values())
    lines = ['| ' + ' | '.join(titles) + ' |',
             '|' + '|'.join(['---'] + ['---:'] * (len(titles) - 1)) + '|']
    for config, entry in summary.items():
        cells = [names.get(config, config), f'{entry["params"] / 1e3:.0f} k']
        for key in METRIC_TITLES:
            mean, std = entry[key]['mean'], entry[key]['std']
            if key == 'cue_gradient':
                cells.append(f'{mean:.2g}')
            elif key == 'ms_per_iter':
                cells.append(f'{mean:.0f} ± {std:.0f}')
            else:
                cells.append(f'{mean:.1f} ± {std:.1f}')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


__all__ = [
    'configure_run', 'cue_gradient', 'local_ceiling', 'node_shares',
    'summarize', 'summary_table', 'train_and_measure'
]

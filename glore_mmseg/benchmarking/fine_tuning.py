"""Short fine-tuning runs of the CUB-200-2011 classifiers on small data.

Runs the configs of ``configs/glore_cls/*_cub-448px.py`` (or variants of
them) with mmengine's Runner for a few iterations on a small data set in
CUB-200-2011's layout (:func:`glore_mmseg.datasets.make_synthetic_cub`),
all from the same backbone weights and seed, and records each run's loss at
every iteration, its test top-1 and whether it stopped on a non-finite
loss. ``tools/cub_demo.py`` is the command line.
"""
import math
import os
import os.path as osp
import time
from typing import Dict, List, Optional

import torch
from mmengine.config import Config, ConfigDict
from mmengine.runner import Runner

from ..package_data import CONFIG_DIR

CUB_CONFIG_DIR = osp.join(CONFIG_DIR, 'glore_cls')
CUB_CONFIGS = {
    'resnet18': 'resnet18_1xb32-10e_cub-448px.py',
    'glore-res3': 'glore-res3x1_resnet18_1xb32-10e_cub-448px.py',
    'glore-res4': 'glore-res4x1_resnet18_1xb32-10e_cub-448px.py',
}
_RES4 = CUB_CONFIGS['glore-res4']
# Investigation variants: name -> (config, backbone keys). "w1": blocker BN
# starting at weight 1 (no zero start), "norm": projection x 1/L, "n128":
# 128 nodes instead of 16, "normeval": the ResNet's norm_eval (every BN of
# the backbone, the blockers too, uses its running statistics).
VARIANTS = {
    **{name: (config, {}) for name, config in CUB_CONFIGS.items()},
    'glore-res4-norm': (_RES4, dict(glore_normalize=True)),
    'glore-res4-w1': (_RES4, dict(glore_zero_init=False)),
    'glore-res4-w1-norm': (_RES4, dict(glore_zero_init=False,
                                       glore_normalize=True)),
    'glore-res4-w1-n128': (_RES4, dict(glore_zero_init=False,
                                       glore_num_nodes=128)),
    'resnet18-normeval': (CUB_CONFIGS['resnet18'], dict(norm_eval=True)),
    'glore-res4-normeval': (_RES4, dict(norm_eval=True)),
    'glore-res4-w1-normeval': (_RES4, dict(norm_eval=True,
                                           glore_zero_init=False)),
    'glore-res4-w1-norm-normeval': (_RES4, dict(norm_eval=True,
                                                glore_zero_init=False,
                                                glore_normalize=True)),
}


def configure_cub_run(config: str,
                      data_root: str,
                      work_dir: str,
                      iters: int,
                      num_classes: int,
                      crop_size: int = 64,
                      batch_size: int = 8,
                      seed: int = 0,
                      lr: Optional[float] = None,
                      backbone: Optional[dict] = None,
                      pretrained: Optional[str] = None,
                      load_from: Optional[str] = None,
                      imagenet: bool = False,
                      log_level: str = 'WARNING') -> Config:
    """The config of one short run on a small CUB-layout data set.

    Keeps the config's model, optimiser and pipeline types; changes only the
    size of the run: ``iters`` iterations (iteration-based, one test at the
    end), ``crop_size`` crops of images resized to ``8/7 crop_size`` (the
    configs' 448 of 600 is about 3/4), ``batch_size``, ``num_classes``.

    Args:
        config: A CUB classifier config.
        data_root: Root of the data set.
        work_dir: Where the run writes.
        iters: Training iterations.
        num_classes: Classes of the data set.
        crop_size: Training and test crop.
        batch_size: Training batch size.
        seed: Seed of the run (weights of new layers, data order).
        lr: Learning rate instead of the config's.
        backbone: Backbone keys to change (e.g. ``glore_zero_init``).
        pretrained: Checkpoint whose ``backbone.*`` weights start the
            backbone; ``None``: the config's own init without a download.
        load_from: Checkpoint of the whole classifier to start from
            (:func:`initial_checkpoint`); weights it lacks (GloRe units)
            keep their init.
        imagenet: Read ``data_root`` with mmpretrain's ``ImageNet`` instead
            (splits ``train`` / ``val``): the pretraining of the demo.
        log_level: The Runner's log level.
    """
    cfg = Config.fromfile(config)
    cfg.model.backbone.update(backbone or {})
    cfg.model.backbone.init_cfg = None if pretrained is None else dict(
        type='Pretrained', checkpoint=pretrained, prefix='backbone')
    cfg.model.head.num_classes = num_classes
    cfg.model.head.topk = (1, )
    cfg.data_preprocessor.num_classes = num_classes
    resize = round(crop_size * 8 / 7)
    for loader, crop in (('train_dataloader', 'RandomCrop'),
                         ('val_dataloader', 'CenterCrop'),
                         ('test_dataloader', 'CenterCrop')):
        cfg[loader].update(num_workers=0, persistent_workers=False)
        cfg[loader].dataset.data_root = data_root
        if imagenet:
            cfg[loader].dataset.update(
                type='ImageNet',
                split='train' if loader == 'train_dataloader' else 'val')
        for transform in cfg[loader].dataset.pipeline:
            if transform.type == 'Resize':
                transform.scale = resize
            elif transform.type == crop:
                transform.crop_size = crop_size
    cfg.train_dataloader.batch_size = batch_size
    if lr is not None:
        cfg.optim_wrapper.optimizer.lr = lr
    cfg.train_cfg = ConfigDict(
        type='IterBasedTrainLoop', max_iters=iters, val_interval=iters)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint.update(by_epoch=False, interval=iters)
    cfg.default_hooks.logger.update(interval=max(1, iters // 4))
    cfg.load_from = load_from
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    name = osp.splitext(osp.basename(config))[0]
    # Unique per run: mmengine keys its logger and visualizer by this name.
    cfg.experiment_name = f'{name}_{time.time_ns()}'
    cfg.log_level = log_level
    return cfg


def train_and_record(cfg: Config) -> dict:
    """Train one run of :func:`configure_cub_run` and record it.

    A non-finite loss stops the run (``CheckFiniteLossHook``); that is
    recorded, not raised.

    Returns:
        ``losses`` (one per finished iteration), ``top1`` (test top-1 in
        percent, ``None`` when the run stopped early), ``diverged_at`` (the
        iteration with a non-finite loss, or ``None``), ``blocker_weight``
        (unit name -> mean |blocker BN weight| at the end: how far each
        GloRe unit moved from a zero start), ``params`` and ``seconds``.
    """
    start = time.perf_counter()
    runner = Runner.from_cfg(cfg)
    diverged_at = None
    try:
        runner.train()
    except FloatingPointError:
        diverged_at = runner.iter + 1
    hub = runner.message_hub
    losses = [float(v) for v in hub.get_scalar('train/loss').data[0]] \
        if 'train/loss' in hub.log_scalars else []
    top1 = None
    if diverged_at is None and 'val/accuracy/top1' in hub.log_scalars:
        top1 = float(hub.get_scalar('val/accuracy/top1').current())
    units = getattr(runner.model.backbone, 'glore_units', {})
    return dict(
        losses=[v if math.isfinite(v) else None for v in losses],
        top1=top1,
        diverged_at=diverged_at,
        blocker_weight={
            name: float(unit.blocker.weight.detach().abs().mean())
            for name, unit in units.items()
        },
        params=sum(p.numel() for p in runner.model.parameters()),
        seconds=time.perf_counter() - start)


def initial_checkpoint(cfg: Config, out: str) -> str:
    """Build and initialise ``cfg.model`` under ``cfg.randomness.seed`` and
    save its weights to ``out``.

    Runs given it as ``load_from`` start from the same backbone *and* head
    (the head's random init would otherwise depend on how many random
    numbers the GloRe units drew before it); each unit keeps its own init.
    """
    from mmengine.registry import init_default_scope
    from mmengine.runner import set_random_seed
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    set_random_seed(cfg.randomness.seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    tmp = out + '.tmp'
    torch.save(dict(state_dict=model.state_dict()), tmp)
    os.replace(tmp, out)
    return out


def backbone_checkpoint(checkpoint: str, out: str) -> str:
    """Write the ``backbone.*`` weights of a runner checkpoint to ``out``
    (a plain state dict, safe to load with ``weights_only``)."""
    state = torch.load(checkpoint, map_location='cpu', weights_only=False)
    backbone = {
        key: value
        for key, value in state['state_dict'].items()
        if key.startswith('backbone.')
    }
    if not backbone:
        raise KeyError(f'{checkpoint} holds no backbone.* weights')
    tmp = out + '.tmp'
    torch.save(dict(state_dict=backbone), tmp)
    os.replace(tmp, out)
    return out


def loss_summary(losses: List[Optional[float]],
                 window: int = 10) -> Dict[str, Optional[float]]:
    """First, largest and final (mean of the last ``window``) loss of a
    run; ``None`` entries (non-finite) make ``max`` infinite."""
    finite = [v for v in losses if v is not None]
    if not losses:
        return dict(first=None, max=None, final=None)
    return dict(
        first=losses[0],
        max=math.inf if len(finite) < len(losses) else max(finite),
        final=sum(finite[-window:]) / len(finite[-window:])
        if finite else None)


def unit_scales(model: torch.nn.Module,
                inputs: torch.Tensor) -> Dict[str, Dict[str, float]]:
    """Standard deviations inside every GloRe unit of ``model.backbone``
    in one forward pass of ``inputs`` (B, 3, H, W), in the model's mode.

    Returns:
        Unit name -> ``features`` (the unit's input), ``nodes`` (node
        features V, the graph convolution's input) and ``extended`` (the
        blocker's input): without 1/L the last two grow with the number of
        positions L, and only the blocker BN keeps the residual that the
        unit adds at the features' scale.
    """
    stats: Dict[str, Dict[str, float]] = {}
    handles = []
    for name, unit in model.backbone.glore_units.items():
        record = stats.setdefault(name, {})

        def keep(key, value, record=record):
            record[key] = float(value.detach().float().std())

        handles += [
            unit.register_forward_pre_hook(
                lambda m, args, keep=keep: keep('features', args[0])),
            unit.gcn.register_forward_pre_hook(
                lambda m, args, keep=keep: keep('nodes', args[0])),
            unit.conv_extend.register_forward_hook(
                lambda m, args, out, keep=keep: keep('extended', out)),
        ]
    try:
        with torch.no_grad():
            model.extract_feat(inputs)
    finally:
        for handle in handles:
            handle.remove()
    return stats

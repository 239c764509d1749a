"""GloRe units and GSoP blocks placed inside an OpenMMLab ResNet.

Shared by the mmpretrain and mmseg backbones. The extra modules live in
their own ``ModuleDict``s, so the ResNet's own parameter names stay those of
the stock ResNet and its ImageNet checkpoints load unchanged.
"""
from functools import partial
from typing import List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmcv.cnn import build_norm_layer
from torch import Tensor
from torch.utils.checkpoint import checkpoint

from ...ops import GloReUnit, GSoPBlock

UnitSpec = Union[int, Sequence[int]]


def unit_positions(spec: Sequence[UnitSpec],
                   blocks_per_stage: Sequence[int]) -> List[Tuple[int, ...]]:
    """Block indices (0-based) after which each stage gets a GloRe unit.

    Args:
        spec: One entry per stage: a count ``n`` (units after every other
            block from the first, the official placement: 1 -> (0,),
            2 -> (0, 2), 3 -> (0, 2, 4)) or explicit block indices.
        blocks_per_stage: Number of residual blocks of each stage.

    Raises:
        ValueError: Wrong number of stages, or an index outside its stage.
    """
    if len(spec) != len(blocks_per_stage):
        raise ValueError(f'glore_units needs one entry per stage '
                         f'({len(blocks_per_stage)}), got {len(spec)}')
    positions = []
    for stage, (entry, num_blocks) in enumerate(zip(spec, blocks_per_stage)):
        if isinstance(entry, int):
            indices = tuple(range(0, 2 * entry, 2))
        else:
            indices = tuple(sorted(set(int(i) for i in entry)))
        bad = [i for i in indices if not 0 <= i < num_blocks]
        if bad:
            raise ValueError(
                f'glore_units[{stage}] = {entry!r} places units after blocks '
                f'{list(indices)}, but stage {stage} has {num_blocks} blocks '
                f'(indices 0..{num_blocks - 1}); give explicit indices')
        positions.append(indices)
    return positions


class ResNetExtrasMixin:
    """Adds GloRe units / GSoP blocks to a built OpenMMLab ResNet.

    Call :meth:`build_extras` at the end of ``__init__``. The extra modules
    run from forward hooks on the stock blocks, so the ResNet's own
    ``forward`` and its blocks' (checkpointing under ``with_cp``, mmseg
    plugins, mmpretrain drop path) stay the library's. The mixin's
    ``init_weights`` replaces the ResNet's.
    """

    def build_extras(self,
                     glore_units: Optional[Sequence[UnitSpec]] = None,
                     glore_normalize: bool = False,
                     gsop_stages: Optional[Sequence[bool]] = None,
                     gsop_mode: str = 'channel',
                     gsop_reduced_channels: int = 128) -> None:
        """Create the extra modules (see the registered backbones' Args).

        GloRe units get num_mid = the stage's bottleneck width and the
        ResNet's norm type with eps 1e-4; GSoP blocks get the stage's output
        channels and a stride-2 reduction in the 64-wide first stage.
        """
        stages = [getattr(self, name) for name in self.res_layers]
        widths = [stage[0].conv1.out_channels for stage in stages]
        out_channels = [stage[-1].conv3.out_channels if hasattr(
            stage[-1], 'conv3') else stage[-1].conv2.out_channels
                        for stage in stages]
        norm_cfg = dict(getattr(self, 'norm_cfg', None) or dict(type='BN'))
        norm_cfg['eps'] = 1e-4  # the official unit's blocker

        self.glore_units = nn.ModuleDict()
        if glore_units is not None:
            positions = unit_positions(glore_units, [len(s) for s in stages])
            for name, indices, width, channels in zip(
                    self.res_layers, positions, widths, out_channels):
                for index in indices:
                    self.glore_units[f'{name}_{index}'] = GloReUnit(
                        channels,
                        num_state=2 * width,
                        num_node=width,
                        normalize=glore_normalize,
                        norm_layer=lambda c: build_norm_layer(norm_cfg, c)[1])
                    getattr(self, name)[index].register_forward_hook(
                        partial(self._apply_glore_unit, f'{name}_{index}'))

        self.gsop_blocks = nn.ModuleDict()
        if gsop_stages is not None:
            if len(gsop_stages) != len(stages):
                raise ValueError(f'gsop_stages needs one flag per stage '
                                 f'({len(stages)}), got {len(gsop_stages)}')
            for name, on, width, stage in zip(self.res_layers, gsop_stages,
                                              widths, stages):
                if not on:
                    continue
                if not hasattr(stage[-1], 'conv3'):
                    raise ValueError('GSoP blocks need Bottleneck blocks '
                                     '(ResNet-50 and deeper)')
                self.gsop_blocks[name] = GSoPBlock(
                    stage[-1].conv3.out_channels,
                    mode=gsop_mode,
                    reduced_channels=gsop_reduced_channels,
                    reduce_stride=2 if width <= 64 else 1)
                # The last BN output, before the residual add: inside the
                # block's checkpointed function when with_cp is on.
                stage[-1].norm3.register_forward_hook(
                    partial(self._apply_gsop_block, name))

    def _apply_glore_unit(self, key: str, block: nn.Module, args: tuple,
                          out: Tensor) -> Tensor:
        """Forward hook of a residual block: its output (B, C, H, W) through
        the GloRe unit ``key``, checkpointed too under ``with_cp``."""
        unit = self.glore_units[key]
        if getattr(self, 'with_cp', False) and out.requires_grad:
            return checkpoint(unit, out, use_reentrant=False)
        return unit(out)

    def _apply_gsop_block(self, name: str, norm: nn.Module, args: tuple,
                          out: Tensor) -> Tensor:
        """Forward hook of a stage's last ``norm3``: its output (B, C, H, W)
        re-scaled by the stage's GSoP block."""
        return self.gsop_blocks[name](out)

    def init_weights(self) -> None:
        super().init_weights()
        init_cfg = getattr(self, 'init_cfg', None)
        if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
            return  # the checkpoint's blockers (trained or zero) stay
        # The ResNet's init sets every BN weight to 1 (and mmengine does not
        # reach into ModuleDicts): zero the blockers again so each unit
        # starts as the identity, as the official networks do.
        for unit in self.glore_units.values():
            unit.init_weights()

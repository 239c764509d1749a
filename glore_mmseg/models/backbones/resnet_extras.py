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
# An int for every unit, or one entry per stage: None (the default size), an
# int for each unit of the stage, or one int per unit of the stage.
SizeSpec = Union[int, Sequence[Union[None, int, Sequence[int]]]]


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


def _positive_size(value, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f'{key} must be a positive integer, got {value!r}')
    return value


def unit_sizes(spec: Optional[SizeSpec], key: str,
               positions: Sequence[Tuple[int, ...]],
               defaults: Sequence[int]) -> List[Tuple[int, ...]]:
    """One size (node or state count) for each GloRe unit of each stage.

    Args:
        spec: ``None`` (every unit gets its stage's default), an int (every
            unit), or one entry per stage: ``None`` (the stage's default),
            an int (each unit of the stage) or one int per unit of the
            stage, in block order. A stage without units takes ``None``.
        key: Config key of ``spec``, named in the errors.
        positions: Block indices of each stage's units
            (:func:`unit_positions`).
        defaults: Default size of each stage.

    Raises:
        ValueError: Wrong number of stages or of units, a size for a stage
            without units, or a size that is not a positive integer.
    """
    if spec is None:
        return [(d, ) * len(p) for p, d in zip(positions, defaults)]
    if isinstance(spec, int):
        _positive_size(spec, key)
        return [(spec, ) * len(p) for p in positions]
    if isinstance(spec, str) or not isinstance(spec, Sequence):
        raise ValueError(f'{key} must be an int or one entry per stage, got '
                         f'{spec!r}')
    if len(spec) != len(positions):
        raise ValueError(f'{key} needs one entry per stage '
                         f'({len(positions)}), got {len(spec)}: {spec!r}')
    sizes = []
    for stage, (entry, indices, default) in enumerate(
            zip(spec, positions, defaults)):
        name = f'{key}[{stage}]'
        if entry is None:
            sizes.append((default, ) * len(indices))
        elif not indices:
            raise ValueError(
                f'{name} = {entry!r}, but stage {stage} has no GloRe units '
                f'(see glore_units); give None for it')
        elif isinstance(entry, int):
            sizes.append((_positive_size(entry, name), ) * len(indices))
        elif isinstance(entry, Sequence) and not isinstance(entry, str):
            if len(entry) != len(indices):
                raise ValueError(
                    f'{name} = {entry!r} gives {len(entry)} sizes, but stage '
                    f'{stage} has {len(indices)} GloRe units (after blocks '
                    f'{list(indices)})')
            sizes.append(tuple(
                _positive_size(value, f'{name}[{i}]')
                for i, value in enumerate(entry)))
        else:
            raise ValueError(f'{name} must be None, an int or one int per '
                             f'unit, got {entry!r}')
    return sizes


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
                     glore_num_nodes: Optional[SizeSpec] = None,
                     glore_num_states: Optional[SizeSpec] = None,
                     glore_zero_init: bool = True,
                     gsop_stages: Optional[Sequence[bool]] = None,
                     gsop_mode: str = 'channel',
                     gsop_reduced_channels: int = 128) -> None:
        """Create the extra modules (see the registered backbones' Args).

        GloRe units get N = the stage's block width nodes and S = 2N states
        unless ``glore_num_nodes`` / ``glore_num_states`` say otherwise, and
        the ResNet's norm type with eps 1e-4; GSoP blocks get the stage's
        output channels and a stride-2 reduction in the 64-wide first stage.
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
            nodes = unit_sizes(glore_num_nodes, 'glore_num_nodes', positions,
                               widths)
            states = unit_sizes(glore_num_states, 'glore_num_states',
                                positions, [2 * w for w in widths])
            for name, indices, stage_nodes, stage_states, channels in zip(
                    self.res_layers, positions, nodes, states, out_channels):
                for index, num_node, num_state in zip(indices, stage_nodes,
                                                      stage_states):
                    self.glore_units[f'{name}_{index}'] = GloReUnit(
                        channels,
                        num_state=num_state,
                        num_node=num_node,
                        normalize=glore_normalize,
                        zero_init=glore_zero_init,
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

    def train(self, mode: bool = True) -> nn.Module:
        """The ResNet's ``train``, except that the GloRe blockers keep
        normalising with batch statistics under ``norm_eval``.

        ``norm_eval`` freezes the pretrained BN statistics of the ResNet. A
        blocker with frozen statistics no longer bounds the residual its
        unit adds, and without 1/L that residual grows with the number of
        positions (at 448-pixel crops, hundreds of times the features'
        scale in ResNet-18's Res4): the loss explodes.
        """
        super().train(mode)
        if mode and getattr(self, 'norm_eval', False):
            for unit in self.glore_units.values():
                unit.blocker.train()
        return self

    def init_weights(self) -> None:
        super().init_weights()
        init_cfg = getattr(self, 'init_cfg', None)
        if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
            return  # the checkpoint's blockers (trained or zero) stay
        # The ResNet's init sets every BN weight to 1 (and mmengine does not
        # reach into ModuleDicts): zero the blockers again so each unit
        # starts as the identity, as the official networks do (units built
        # with glore_zero_init=False keep weight 1).
        for unit in self.glore_units.values():
            unit.init_weights()

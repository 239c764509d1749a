"""Graph-based Global Reasoning unit (GloRe), plain PyTorch.

Chen et al., "Graph-Based Global Reasoning Networks", CVPR 2019. The unit
projects a feature map onto a few graph nodes (weighted global pooling),
reasons over the nodes with a one-layer graph convolution, projects the
result back onto the positions (weighted broadcasting) and adds it to the
input as a residual.

This module has no OpenMMLab dependency (the OpenMMLab plugin built on it,
registered as ``type='GloReUnit'``, is
:class:`glore_mmseg.models.plugins.GloRePlugin`). Its parameter names
follow the official PyTorch unit (``conv_state``, ``conv_proj``, ``gcn.conv1``,
``gcn.conv2``, ``conv_extend``, ``blocker``), so released weights load with
``strict=True``.
"""
import warnings
from typing import Callable, Optional

import torch
import torch.nn as nn

from .precision import autocast_disabled

NormLayer = Callable[[int], nn.Module]

_CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
_BATCH_NORM = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}


class GraphConvolution(nn.Module):
    """Single-layer graph convolution over node features.

    Computes ``W relu(A V + V)``: ``A`` (``conv1``) mixes the nodes, the
    identity term keeps each node's own state, ``W`` (``conv2``) mixes the
    state channels.

    Args:
        num_state: Number of state channels S of each node.
        num_node: Number of graph nodes N.

    Shape:
        - Input: (B, S, N).
        - Output: (B, S, N).
    """

    def __init__(self, num_state: int, num_node: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(num_node, num_node, kernel_size=1)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv1d(num_state, num_state, kernel_size=1, bias=False)

    def forward(self, nodes: torch.Tensor) -> torch.Tensor:
        # conv1 runs along the node axis, so it sees (B, N, S).
        adjacency = self.conv1(nodes.transpose(1, 2)).transpose(1, 2)
        return self.conv2(self.relu(adjacency + nodes))


class GloReUnit(nn.Module):
    """Graph-based Global Reasoning unit for 1D, 2D or 3D feature maps.

    The plain PyTorch class. In OpenMMLab configs, ``type='GloReUnit'``
    builds its subclass :class:`glore_mmseg.models.plugins.GloRePlugin`
    (same weights, an mmcv ``norm_cfg``, ``normalize=True`` by default).

    Defaults follow the official ResNet placement (``num_mid`` = C/4):
    ``num_state`` = C/2 state channels and ``num_node`` = C/4 nodes.

    Args:
        in_channels: Channels C of the input feature map.
        num_state: State channels S of each node. Defaults to C // 2.
        num_node: Number of graph nodes N. Defaults to C // 4.
        dims: Spatial rank of the input: 1 (B, C, L), 2 (B, C, H, W) or
            3 (B, C, T, H, W). Selects Conv1d/2d/3d as the official unit does,
            so the weight shapes match its checkpoints.
        normalize: Multiply the projection by 1/L (L = number of positions),
            which makes node features independent of the input size. Needed
            whenever training and testing sizes differ (segmentation).
            ``False`` by default, as in the official unit (its ImageNet
            weights expect it). Without it, a unit that is evaluated on a
            number of positions outside those it saw in training warns once
            (``UserWarning``): its node features are then scaled by
            L_test / L_train.
        zero_init: Set the ``blocker`` norm's weight and bias to zero so the
            unit starts as the identity, as the official backbone networks
            do inside a pretrained ResNet. The official segmentation head
            does not (its blocker starts at weight 1), nor does
            ``GloReHead`` by default.
        norm_layer: Factory ``norm_layer(num_channels) -> nn.Module`` for the
            ``blocker`` norm. Defaults to BatchNorm of rank ``dims`` with
            ``eps=1e-4`` (the official setting).

    Shape:
        - Input: (B, C, *spatial) with ``len(spatial) == dims``.
        - Output: same as the input.
    """

    def __init__(self,
                 in_channels: int,
                 num_state: Optional[int] = None,
                 num_node: Optional[int] = None,
                 dims: int = 2,
                 normalize: bool = False,
                 zero_init: bool = True,
                 norm_layer: Optional[NormLayer] = None) -> None:
        super().__init__()
        if dims not in _CONV:
            raise ValueError(
                f'GloReUnit: dims must be 1, 2 or 3, got {dims!r}')
        num_state = in_channels // 2 if num_state is None else num_state
        num_node = in_channels // 4 if num_node is None else num_node
        for name, value in (('in_channels', in_channels),
                            ('num_state', num_state), ('num_node', num_node)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f'GloReUnit: {name} must be a positive integer, got '
                    f'{value!r}')

        self.in_channels = in_channels
        self.num_state = num_state
        self.num_node = num_node
        self.dims = dims
        self.normalize = normalize
        self.zero_init = zero_init
        # Range of position counts L seen in training (not saved in the
        # state dict, so official checkpoints keep loading strictly).
        self._trained_positions: Optional[tuple] = None
        self._warned_positions = False

        conv = _CONV[dims]
        if norm_layer is None:
            bn = _BATCH_NORM[dims]

            def norm_layer(channels: int) -> nn.Module:
                return bn(channels, eps=1e-4)

        self.conv_state = conv(in_channels, num_state, kernel_size=1)
        self.conv_proj = conv(in_channels, num_node, kernel_size=1)
        self.gcn = GraphConvolution(num_state, num_node)
        self.conv_extend = conv(num_state, in_channels, kernel_size=1,
                                bias=False)
        self.blocker = norm_layer(in_channels)
        self.init_weights()

    def init_weights(self) -> None:
        """Zero the ``blocker`` affine parameters when ``zero_init`` is set.

        OpenMMLab's ``BaseModule.init_weights`` calls this after a parent's
        ``init_cfg`` (e.g. ResNet's constant-1 init of every BatchNorm), so the
        unit still starts as the identity inside an initialised backbone.
        """
        if not self.zero_init:
            return
        for name in ('weight', 'bias'):
            param = getattr(self.blocker, name, None)
            if param is not None:
                nn.init.zeros_(param)

    def _check_input(self, x: torch.Tensor) -> None:
        if x.dim() != self.dims + 2:
            raise ValueError(
                f'GloReUnit(dims={self.dims}) expects a {self.dims + 2}-D '
                f'input (B, C, *spatial), got shape {tuple(x.shape)}')
        if x.size(1) != self.in_channels:
            raise ValueError(
                f'GloReUnit(in_channels={self.in_channels}) got a feature map '
                f'with {x.size(1)} channels (shape {tuple(x.shape)})')

    def _check_positions(self, positions: int) -> None:
        """Record L in training; warn once for an unseen L in eval.

        Only without ``normalize``: then node features grow with L, so a
        unit trained on 512x1024 crops and tested on 1024x2048 images sees
        4x larger node features.
        """
        if self.normalize or torch.compiler.is_compiling():
            return
        if self.training:
            low, high = self._trained_positions or (positions, positions)
            self._trained_positions = (min(low, positions),
                                       max(high, positions))
            return
        if self._trained_positions is None or self._warned_positions:
            return
        low, high = self._trained_positions
        if not low <= positions <= high:
            self._warned_positions = True
            seen = str(low) if low == high else f'{low}..{high}'
            warnings.warn(
                f'GloReUnit(normalize=False) trained on {seen} positions '
                f'now sees {positions}: its node features scale with the '
                'number of positions, so results depend on the input size. '
                'Use normalize=True (glore_normalize=True in the GloRe '
                'backbones) when training and testing sizes differ.',
                UserWarning,
                stacklevel=3)

    def project(self, state: torch.Tensor, proj: torch.Tensor) -> torch.Tensor:
        """Pool position features onto the graph nodes.

        The sum over L positions runs in float32 with autocast disabled: at
        Cityscapes whole-image size (L = 32,768 at stride 8) it would overflow
        float16. With ``normalize`` the 1/L factor is applied before the sum,
        so the result is a weighted mean.

        Args:
            state: State features, shape (B, S, L).
            proj: Projection weights, shape (B, N, L).

        Returns:
            Node features (B, S, N) in float32.
        """
        with autocast_disabled(state.device.type):
            proj = proj.float()
            if self.normalize:
                proj = proj * (1.0 / proj.size(-1))
            return torch.bmm(state.float(), proj.transpose(1, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the unit.

        Args:
            x: Feature map (B, C, *spatial).

        Returns:
            ``x + blocker(conv_extend(reasoned features))``, same shape as x.
        """
        self._check_input(x)
        batch, spatial = x.size(0), x.shape[2:]
        state = self.conv_state(x).reshape(batch, self.num_state, -1)
        proj = self.conv_proj(x).reshape(batch, self.num_node, -1)

        self._check_positions(proj.size(-1))
        nodes = self.project(state, proj)
        # The graph convolution is tiny (S x N); keep it in its parameters'
        # precision (float32 under AMP) so node features never overflow.
        with autocast_disabled(x.device.type):
            nodes = self.gcn(nodes.to(self.gcn.conv2.weight.dtype))

        # Reverse projection: (B, S, N) x (B, N, L) -> (B, S, L).
        back = torch.matmul(nodes.to(proj.dtype), proj)
        back = back.reshape(batch, self.num_state, *spatial)
        return x + self.blocker(self.conv_extend(back))

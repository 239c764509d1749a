"""The data preprocessor's colour handling as a layer of the exported graph.
"""
from typing import Optional

import torch
from torch import Tensor, nn


class ImageNormalization(nn.Module):
    """RGB 0-255 images to the network's input: channel order, mean, std.

    OpenMMLab pipelines load images as BGR; the data preprocessor flips
    them to RGB when ``bgr_to_rgb`` / ``rgb_to_bgr`` / ``to_rgb`` is set and
    then normalises with ``mean`` and ``std`` given in the network's channel
    order. An exported graph takes RGB, so it flips exactly when the
    preprocessor does not (the network was trained on BGR).

    Args:
        mean: (3,) in the network's channel order, or None (no
            normalisation).
        std: (3,), with ``mean``.
        network_takes_rgb: Whether the network's channels are RGB.
    """

    def __init__(self, mean: Optional[Tensor], std: Optional[Tensor],
                 network_takes_rgb: bool) -> None:
        super().__init__()
        self.flip_channels = not network_takes_rgb
        self.normalize = mean is not None
        if self.normalize:
            self.register_buffer('mean',
                                 torch.as_tensor(mean).float().view(1, 3, 1,
                                                                    1))
            self.register_buffer('std',
                                 torch.as_tensor(std).float().view(1, 3, 1,
                                                                   1))

    @classmethod
    def from_data_preprocessor(
            cls, preprocessor: nn.Module) -> 'ImageNormalization':
        """Read mmseg's ``SegDataPreProcessor`` or mmpretrain's
        ``ClsDataPreprocessor``."""
        flips = bool(
            getattr(preprocessor, 'channel_conversion', False)
            or getattr(preprocessor, 'to_rgb', False))
        if getattr(preprocessor, '_enable_normalize', False):
            mean = preprocessor.mean.flatten()
            std = preprocessor.std.flatten()
            if mean.numel() != 3:
                raise ValueError(
                    'The data preprocessor normalises '
                    f'{mean.numel()} channels; exported graphs take 3-channel'
                    ' RGB images')
            return cls(mean, std, network_takes_rgb=flips)
        return cls(None, None, network_takes_rgb=flips)

    def forward(self, image: Tensor) -> Tensor:
        """(N, 3, H, W) RGB 0-255 -> (N, 3, H, W) network input."""
        if self.flip_channels:
            image = image.flip(1)
        if self.normalize:
            image = (image - self.mean) / self.std
        return image

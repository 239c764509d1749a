"""OpenMMLab adapters: registry entries built on :mod:`glore_mmseg.ops`."""
from .backbones import GloReResNet, GloReResNetV1c, GSoPResNet, GSoPResNetV1c
from .decode_heads import GloReHead
from .necks import GeneralizedGaussianCovNeck, ISQRTCovNeck
from .plugins import GloRePlugin, GSoPPlugin

__all__ = [
    'GeneralizedGaussianCovNeck', 'GloReHead', 'GloRePlugin', 'GloReResNet',
    'GloReResNetV1c', 'GSoPPlugin', 'GSoPResNet', 'GSoPResNetV1c',
    'ISQRTCovNeck'
]

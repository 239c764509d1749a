from .glore_resnet import GloReResNet, GloReResNetV1c
from .gsop_resnet import GSoPResNet, GSoPResNetV1c

__all__ = ['GloReResNet', 'GloReResNetV1c', 'GSoPResNet', 'GSoPResNetV1c']

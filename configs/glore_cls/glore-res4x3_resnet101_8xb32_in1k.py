# ResNet-101 + 3 GloRe units in Res4 (after blocks 1, 3, 5).
_base_ = './glore-res4x3_resnet50_8xb32_in1k.py'

model = dict(backbone=dict(depth=101))

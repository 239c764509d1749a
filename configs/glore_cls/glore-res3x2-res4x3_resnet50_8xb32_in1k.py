# ResNet-50 + 2 GloRe units in Res3 (after blocks 1, 3) + 3 in Res4.
_base_ = './glore-res4x3_resnet50_8xb32_in1k.py'

model = dict(backbone=dict(glore_units=(0, 2, 3, 0)))

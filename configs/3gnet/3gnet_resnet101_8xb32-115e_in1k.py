# 3G-Net, ResNet-101.
_base_ = './3gnet_resnet50_8xb32-115e_in1k.py'

model = dict(backbone=dict(depth=101))

_base_ = './glore_r50-d8_4xb4-40k_pascal-context-59-480x480.py'
model = dict(
    pretrained='checkpoints/resnet101_v1c-e67eebb6.pth',
    backbone=dict(depth=101))

_base_ = './glore_r50-d8_4xb4-80k_ade20k-512x512.py'
model = dict(
    pretrained='checkpoints/resnet101_v1c-e67eebb6.pth',
    backbone=dict(depth=101))

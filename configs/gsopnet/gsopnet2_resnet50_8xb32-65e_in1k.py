# GSoP-Net2, ResNet-50: GSoP-Net1 blocks in layer1-3, layer4 at stride 1,
# then iSQRT-COV pooling (256-d reduction, 3 Newton-Schulz steps, 32,896-d
# triangle) and the classifier. 65 epochs, lr steps at 30/45/60 (official).
# 58.28 M params.
_base_ = './gsopnet1-channel_resnet50_8xb32-95e_in1k.py'

model = dict(
    backbone=dict(gsop_stages=(True, True, True, False)),
    neck=dict(
        _delete_=True,
        type='ISQRTCovNeck',
        in_channels=2048,
        reduced_channels=256,
        num_iter=3,
        triangle_order='column'),
    head=dict(in_channels=32896))

param_scheduler = dict(milestones=[30, 45, 60])
train_cfg = dict(max_epochs=65)

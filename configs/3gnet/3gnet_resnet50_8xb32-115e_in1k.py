# 3G-Net, ResNet-50: layer4 at stride 1, 256-d reduction, three learned
# re-weighting steps, covariance + 1e-7 I, 5-step Newton-Schulz root,
# 32,896-d triangle, classifier. 57.97 M params. Schedule of the official
# training script: lr 0.1 (batch 256), x0.1 every 30 epochs, 115 epochs.
_base_ = [
    'mmpretrain::resnet/resnet50_8xb32_in1k.py',
    '../_base_/training_safeguards.py'
]
custom_imports = dict(imports=['glore_mmseg'], allow_failed_imports=False)

model = dict(
    backbone=dict(strides=(1, 2, 2, 1)),
    neck=dict(
        _delete_=True,
        type='GeneralizedGaussianCovNeck',
        in_channels=2048,
        reduced_channels=256,
        num_iter=5,
        num_reweighting=3,
        triangle_order='column'),
    head=dict(in_channels=32896))

param_scheduler = dict(
    _delete_=True, type='StepLR', by_epoch=True, step_size=30, gamma=0.1)
train_cfg = dict(max_epochs=115)
# write checkpoints atomically (docs/en/reliability.md)
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))

# GSoP-Net1 (channel attention), ResNet-50: a GSoP block in the last
# bottleneck of each stage; layer4 at stride 1 and 95 epochs with lr steps
# at 30/60/90, as the official code trains it. 28.29 M params.
_base_ = [
    'mmpretrain::resnet/resnet50_8xb32_in1k.py',
    '../_base_/training_safeguards.py'
]
custom_imports = dict(imports=['glore_mmseg'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        type='GSoPResNet',
        gsop_mode='channel',
        gsop_stages=(True, True, True, True),
        strides=(1, 2, 2, 1)))

param_scheduler = dict(milestones=[30, 60, 90])
train_cfg = dict(max_epochs=95)
# write checkpoints atomically (docs/en/reliability.md)
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))

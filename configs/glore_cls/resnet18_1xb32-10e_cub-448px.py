# ResNet-18 fine-tuned on CUB-200-2011 from mmpretrain's ImageNet weights:
# the baseline of a published GloRe reproduction (a course report, 73.23 %
# top-1) with its recipe: batch 32, SGD lr 0.01, momentum 0.9, weight decay
# 5e-4, 10 epochs. The report names no schedule: the learning rate stays
# constant. Data: mmpretrain's CUB files (448 crops of 600-pixel images).
_base_ = [
    'mmpretrain::_base_/models/resnet18.py',
    'mmpretrain::_base_/datasets/cub_bs8_448.py',
    'mmpretrain::_base_/schedules/cub_bs64.py',
    'mmpretrain::_base_/default_runtime.py',
    '../_base_/training_safeguards.py'
]
custom_imports = dict(imports=['glore_mmseg'], allow_failed_imports=False)

pretrained = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet18_8xb32_in1k_20210831-fbbb1da6.pth'  # noqa
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone')),
    head=dict(num_classes=200, topk=(1, )))

train_dataloader = dict(batch_size=32)
val_dataloader = dict(batch_size=32)
test_dataloader = val_dataloader

optim_wrapper = dict(
    optimizer=dict(
        lr=0.01, momentum=0.9, weight_decay=5e-4, nesterov=False))
param_scheduler = []
train_cfg = dict(max_epochs=10)
auto_scale_lr = dict(base_batch_size=32)

# write checkpoints atomically (docs/en/reliability.md)
default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook'),
    logger=dict(interval=20))

# GloRe R50-D8 on Pascal Context (59 classes), mmseg's Pascal Context 59
# recipe (its FCN, PSPNet and DeepLabV3 configs; NonLocal and DANet have
# none): 480x480 crops, batch 4 x 4, SGD lr 0.004, weight decay 1e-4, 80k,
# sliding-window testing.
_base_ = [
    '../_base_/models/glore_r50-d8.py',
    '../_base_/datasets/pascal_context_59.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    '../_base_/training_safeguards.py'
]
crop_size = (480, 480)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(num_classes=59),
    auxiliary_head=dict(num_classes=59),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(320, 320)))
optimizer = dict(type='SGD', lr=0.004, momentum=0.9, weight_decay=0.0001)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer)
# write checkpoints atomically (docs/en/reliability.md)
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))

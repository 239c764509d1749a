# GloRe R50-D8 on ADE20K (150 classes), the recipe of mmseg's NonLocal and
# DANet ADE20K configs: 512x512 crops, batch 4 x 4, SGD lr 0.01, 160k.
_base_ = [
    '../_base_/models/glore_r50-d8.py', '../_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_160k.py',
    '../_base_/training_safeguards.py'
]
crop_size = (512, 512)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150))
# write checkpoints atomically (docs/en/reliability.md)
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))

# GloRe R50-D8 on Pascal VOC 2012 + SBD aug (21 classes), the recipe of
# mmseg's NonLocal and DANet VOC configs: 512x512 crops, batch 4 x 4, SGD
# lr 0.01, 40k.
_base_ = [
    '../_base_/models/glore_r50-d8.py',
    '../_base_/datasets/pascal_voc12_aug.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_40k.py',
    '../_base_/training_safeguards.py'
]
crop_size = (512, 512)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(num_classes=21),
    auxiliary_head=dict(num_classes=21))
# write checkpoints atomically (docs/en/reliability.md)
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))

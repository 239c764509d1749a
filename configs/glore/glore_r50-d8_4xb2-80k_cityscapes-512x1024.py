_base_ = [
    '../_base_/models/glore_r50-d8.py',
    # fast train pipeline; stock: '../_base_/datasets/cityscapes.py'
    '../_base_/datasets/cityscapes_fast.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    '../_base_/training_safeguards.py'
]
crop_size = (512, 1024)
data_preprocessor = dict(size=crop_size)
model = dict(data_preprocessor=data_preprocessor)
# write checkpoints atomically (docs/en/reliability.md)
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))

# Shared settings of the context benchmark (tools/context_benchmark.py): one
# backbone, width, optimiser and schedule for every head, so that the heads
# are the only difference.
#
# The backbone is a ResNet-18-V1c with 16 base channels at output stride 8
# WITHOUT dilation ("r18-s8"): its receptive field is 231 pixels, 279 with a
# 3-conv head, so the logits at the squares (x >= 224) depend on no pixel of
# the cue band (x < 64). Whatever a local head learns, it cannot see the cue.
_base_ = [
    './datasets/context_cue.py', 'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_20k.py', './training_safeguards.py'
]
max_iters = 1000
# Merged into the stock model of each config (the heads keep their stock
# arguments; only widths, classes and norm change).
context_model = dict(
    data_preprocessor=dict(size=(64, 320)),
    pretrained=None,
    backbone=dict(
        depth=18,
        stem_channels=16,
        base_channels=16,
        dilations=(1, 1, 1, 1),
        norm_cfg=dict(type='BN', requires_grad=True)),
    decode_head=dict(
        in_channels=128,
        channels=64,
        num_classes=4,
        norm_cfg=dict(type='BN', requires_grad=True)),
    auxiliary_head=None)

# From scratch in 1000 iterations: AdamW. With the Cityscapes SGD recipe (lr
# 0.01, momentum 0.9) NonLocal did not find the cue in this many iterations
# (docs/en/context_benchmark.md).
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=2e-3, weight_decay=0.01))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(type='AtomicCheckpointHook', interval=max_iters))

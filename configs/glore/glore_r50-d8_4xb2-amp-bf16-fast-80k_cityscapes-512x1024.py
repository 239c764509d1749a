# The bf16 config, made fast: compiled train step (mmengine's `compile`),
# fused SGD, channels-last weights, and bf16 autocast without mmengine's
# GradScaler (bf16 needs no loss scaling; the scaler reads an inf flag back
# to the host every iteration).
_base_ = './glore_r50-d8_4xb2-amp-bf16-80k_cityscapes-512x1024.py'
optim_wrapper = dict(
    _delete_=True,
    type='BF16OptimWrapper',
    optimizer=dict(
        type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0005, fused=True),
    clip_grad=None)
compile = True
custom_hooks = _base_.custom_hooks + [dict(type='ChannelsLastHook')]
# The fast train pipeline (inherited: ../_base_/datasets/cityscapes_fast.py)
# with enough loader processes to feed one GPU from a 16-core host.
train_dataloader = dict(num_workers=8, persistent_workers=True)

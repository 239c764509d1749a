# ResNet-50 + 3 GloRe units in Res4 (after blocks 1, 3, 5; paper Table 2:
# 30.5 M params, 78.4 % top-1), on mmpretrain's stock ResNet-50 recipe.
_base_ = [
    'mmpretrain::resnet/resnet50_8xb32_in1k.py',
    '../_base_/training_safeguards.py'
]
custom_imports = dict(imports=['glore_mmseg'], allow_failed_imports=False)

model = dict(backbone=dict(type='GloReResNet', glore_units=(0, 0, 3, 0)))
# write checkpoints atomically (docs/en/reliability.md)
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))

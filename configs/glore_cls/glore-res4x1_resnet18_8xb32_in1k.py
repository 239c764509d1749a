# ResNet-18 + 1 GloRe unit in the middle of Res4 (after block 1 of 2) with
# 128 nodes: the classifier of the paper's Fig. 7 (projection maps), on
# mmpretrain's stock ResNet-18 recipe. S = 256 states, twice the nodes as
# in the official unit (the paper gives only the node count).
_base_ = [
    'mmpretrain::resnet/resnet18_8xb32_in1k.py',
    '../_base_/training_safeguards.py'
]
custom_imports = dict(imports=['glore_mmseg'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        type='GloReResNet',
        glore_units=(0, 0, 1, 0),
        glore_num_nodes=128,
        glore_num_states=256))
# write checkpoints atomically (docs/en/reliability.md)
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))

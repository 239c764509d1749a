# The CUB-200-2011 baseline + 1 GloRe unit after Res4 (after the last block
# of layer3): 16 nodes, no channel reduction (S = C = 256 states). The
# published reproduction's unit here failed to train; this one starts as
# the identity (zero blocker), see docs/en/classification.md.
_base_ = './resnet18_1xb32-10e_cub-448px.py'

model = dict(
    backbone=dict(
        type='GloReResNet',
        glore_units=(0, 0, (1, ), 0),
        glore_num_nodes=16,
        glore_num_states=(None, None, 256, None)))

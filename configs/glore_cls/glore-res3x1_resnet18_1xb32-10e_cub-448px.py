# The CUB-200-2011 baseline + 1 GloRe unit after Res3 (after the last block
# of layer2) as in the published reproduction (69.84 % top-1 there): 16
# nodes and no channel reduction (S = C = 128 states).
_base_ = './resnet18_1xb32-10e_cub-448px.py'

model = dict(
    backbone=dict(
        type='GloReResNet',
        glore_units=(0, (1, ), 0, 0),
        glore_num_nodes=16,
        glore_num_states=(None, 128, None, None)))

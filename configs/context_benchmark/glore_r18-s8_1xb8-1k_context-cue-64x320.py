# The GloRe head (one unit) on the context-cue task, with the plain unit's
# default sizes for 64 channels: 32 state channels, 16 nodes. The unit starts
# as the paper's and the official segmentation head's (blocker weight 1).
_base_ = [
    '../_base_/models/glore_r50-d8.py', '../_base_/context_benchmark.py'
]
model = _base_.context_model
model.update(
    backbone=dict(multi_grid=None),
    decode_head=dict(num_state=32, num_node=16))

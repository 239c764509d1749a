# The GloRe head with its unit's output norm (blocker) starting at zero
# (weight and bias 0, eps 1e-4), as the official backbone units do: the unit
# starts as the identity. The shipped head starts the blocker as a plain
# BatchNorm (weight 1), as the paper and the official segmentation head do;
# this variant measures what the zero start costs from scratch
# (docs/en/context_benchmark.md).
_base_ = './glore_r18-s8_1xb8-1k_context-cue-64x320.py'
model = dict(decode_head=dict(zero_init=True))

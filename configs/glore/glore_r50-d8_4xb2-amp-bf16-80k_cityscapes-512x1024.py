# bfloat16 autocast. bf16 has float32's range, so no loss scaling is needed;
# the GloRe projection and graph convolution run in float32 inside the unit.
_base_ = './glore_r50-d8_4xb2-80k_cityscapes-512x1024.py'
optim_wrapper = dict(type='AmpOptimWrapper', dtype='bfloat16', loss_scale=1.0)

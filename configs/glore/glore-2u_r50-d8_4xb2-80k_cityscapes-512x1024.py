# Two GloRe units in the head (paper: 77.84 % mIoU on val vs 78.25 % for one).
_base_ = './glore_r50-d8_4xb2-80k_cityscapes-512x1024.py'
model = dict(decode_head=dict(num_units=2))

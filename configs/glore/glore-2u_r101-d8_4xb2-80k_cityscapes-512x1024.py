_base_ = './glore_r101-d8_4xb2-80k_cityscapes-512x1024.py'
model = dict(decode_head=dict(num_units=2))

# GSoP-Net1 with the 'concat' fusion of channel and position attention.
_base_ = './gsopnet1-channel_resnet50_8xb32-95e_in1k.py'

model = dict(backbone=dict(gsop_mode='concat'))

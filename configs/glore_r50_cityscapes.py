# Short name for the main Cityscapes config: ResNet-50-D8 + one GloRe unit,
# 80k iterations on 512x1024 crops (the paper's 78.25 % mIoU setting).
_base_ = './glore/glore_r50-d8_4xb2-80k_cityscapes-512x1024.py'

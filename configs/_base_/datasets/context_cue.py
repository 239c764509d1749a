# The context-cue task of tools/context_benchmark.py, written by
# glore_mmseg.datasets.make_context_cue_cityscapes in the Cityscapes layout:
# 320x64 images, a red or blue cue band at the left edge, identical grey
# squares at the right edge whose class (car or truck) is the band's colour.
# mmseg's CityscapesDataset reads it with four classes (their trainIds are
# mapped to 0..3). Whole images, no augmentation: a crop or flip could cut the
# cue off or move it.
dataset_type = 'CityscapesDataset'
data_root = 'data/context_cue/'
metainfo = dict(classes=('road', 'building', 'car', 'truck'))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='CheckSegMap', num_classes=4, ignore_index=255),
    dict(type='PackSegInputs')
]
train_pipeline = test_pipeline
context_cue_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    metainfo=metainfo,
    pipeline=test_pipeline)
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        context_cue_dataset,
        data_prefix=dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train')))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        context_cue_dataset,
        data_prefix=dict(
            img_path='leftImg8bit/val', seg_map_path='gtFine/val')))
test_dataloader = val_dataloader
# mIoU over the four classes, plus accuracy and mIoU over the squares' two
# classes (subset_acc, subset_mIoU): the pixels only the cue decides.
val_evaluator = dict(
    type='ClassSubsetIoUMetric',
    subset=['car', 'truck'],
    iou_metrics=['mIoU'])
test_evaluator = val_evaluator

"""ClassSubsetIoUMetric: mmseg's IoU metric plus scores over some classes."""
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from glore_mmseg.evaluation import ClassSubsetIoUMetric

CLASSES = ('road', 'building', 'car', 'truck')


def sample(pred, gt):
    data = SegDataSample()
    data.pred_sem_seg = PixelData(data=torch.tensor([pred]))
    data.gt_sem_seg = PixelData(data=torch.tensor([gt]))
    return data.to_dict()


def evaluate(subset, pairs, classes=CLASSES):
    metric = ClassSubsetIoUMetric(subset=subset, iou_metrics=['mIoU'])
    metric.dataset_meta = dict(classes=classes)
    for pred, gt in pairs:
        metric.process({}, [sample(pred, gt)])
    return metric.evaluate(len(pairs))


def test_scores_on_known_labels():
    gt = [[0, 0, 2, 2], [1, 1, 3, 3]]
    pred = [[0, 0, 2, 3], [1, 1, 3, 3]]
    metrics = evaluate(['car', 'truck'], [(pred, gt)])
    # car: 1 of 2 pixels right, IoU 1/2; truck: 2 of 2, IoU 2/3
    assert metrics['subset_acc'] == 75.0
    assert metrics['subset_mIoU'] == pytest.approx(58.33, abs=0.01)
    # mmseg's own keys are kept: mIoU over all four classes
    assert metrics['mIoU'] == pytest.approx(
        (100 + 100 + 50 + 200 / 3) / 4, abs=0.01)
    assert metrics['aAcc'] == 87.5


def test_accuracy_pools_pixels_over_images():
    # image 1: 3 car pixels, all wrong; image 2: 1 truck pixel, right
    first = ([[0, 0, 0, 0]], [[2, 2, 2, 0]])
    second = ([[3, 0, 0, 0]], [[3, 0, 0, 0]])
    metrics = evaluate(['car', 'truck'], [first, second])
    assert metrics['subset_acc'] == 25.0  # 1 of 4 pixels, not (0 + 100) / 2
    assert metrics['subset_mIoU'] == 50.0  # car 0, truck 1


def test_bad_subsets_are_named():
    with pytest.raises(ValueError, match='non-empty list'):
        ClassSubsetIoUMetric(subset='car')
    with pytest.raises(ValueError, match="'bus'"):
        evaluate(['car', 'bus'], [([[0]], [[0]])])
    with pytest.raises(ValueError, match='no pixel'):
        evaluate(['car'], [([[0, 1]], [[0, 1]])])

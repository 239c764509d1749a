"""Official Cityscapes scores: GT as prediction, and a known corruption."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from cityscapesscripts.helpers.labels import labels
from PIL import Image

from glore_mmseg.evaluation import (CityscapesOfficialMetric,
                                    evaluate_cityscapes)

EVAL_IDS = [label.id for label in labels
            if label.id >= 0 and not label.ignoreInEval]
CATEGORY_OF = {label.id: label.category for label in labels if label.id >= 0}
IGNORED = [
    label.id for label in labels if label.id >= 0 and label.ignoreInEval
]
ROAD, SKY, CAR = 7, 23, 26


def val_label_ids(root):
    return sorted(
        glob.glob(osp.join(root, 'gtFine', 'val', '*',
                           '*_gtFine_labelIds.png')))


def write_predictions(tmp_path, gt_files, corrupt=None):
    predictions = []
    for i, gt_file in enumerate(gt_files):
        label_ids = np.array(Image.open(gt_file))
        if corrupt is not None:
            label_ids = corrupt(label_ids)
        path = str(tmp_path / f'pred_{i}.png')
        Image.fromarray(label_ids.astype(np.uint8)).save(path)
        predictions.append(path)
    return predictions


def expected_mean_iou(gt_files, pred_files, group=lambda i: i):
    """Mean IoU computed here, independently of cityscapesscripts."""
    gts = np.concatenate([np.array(Image.open(f)).ravel() for f in gt_files])
    preds = np.concatenate(
        [np.array(Image.open(f)).ravel() for f in pred_files])
    keep = ~np.isin(gts, IGNORED)  # ignored ground truth is not scored
    gts, preds = gts[keep], preds[keep]
    ious = []
    for unit in sorted({group(i) for i in EVAL_IDS}):
        members = [i for i in EVAL_IDS if group(i) == unit]
        in_gt, in_pred = np.isin(gts, members), np.isin(preds, members)
        union = np.count_nonzero(in_gt | in_pred)
        if union:
            ious.append(np.count_nonzero(in_gt & in_pred) / union)
    return float(np.mean(ious))


def test_ground_truth_as_prediction_scores_100(cityscapes_root, tmp_path):
    gt_files = val_label_ids(cityscapes_root)
    assert len(gt_files) == 2
    scores = evaluate_cityscapes(write_predictions(tmp_path, gt_files),
                                 gt_files)
    assert scores == dict(
        classIoU=1.0, classiIoU=1.0, categoryIoU=1.0, categoryiIoU=1.0)


def test_corrupted_prediction_gives_the_exact_iou(cityscapes_root, tmp_path):
    gt_files = val_label_ids(cityscapes_root)

    def corrupt(label_ids):
        label_ids = label_ids.copy()
        label_ids[label_ids == CAR] = ROAD  # every car predicted as road
        label_ids[:, :label_ids.shape[1] // 4] = SKY  # left quarter: sky
        return label_ids

    predictions = write_predictions(tmp_path, gt_files, corrupt)
    scores = evaluate_cityscapes(predictions, gt_files)

    class_iou = expected_mean_iou(gt_files, predictions)
    category_iou = expected_mean_iou(gt_files, predictions, CATEGORY_OF.get)
    assert 0.2 < class_iou < 0.9 and 0.2 < category_iou < 0.9
    assert scores['classIoU'] == pytest.approx(class_iou, abs=1e-12)
    assert scores['categoryIoU'] == pytest.approx(category_iou, abs=1e-12)
    # No car pixel is predicted as car any more, and the vehicle category
    # keeps no true positive either: both instance scores fall below 1.
    assert scores['classiIoU'] < 1.0 and scores['categoryiIoU'] < 1.0


def test_evaluator_errors_become_exceptions(cityscapes_root, tmp_path):
    gt_file = val_label_ids(cityscapes_root)[0]
    small = str(tmp_path / 'small.png')
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(small)
    with pytest.raises(RuntimeError, match='could not evaluate'):
        evaluate_cityscapes([small], [gt_file])
    with pytest.raises(ValueError, match='1 predictions for 2'):
        evaluate_cityscapes([small], [gt_file, gt_file])


def test_metric_reports_four_scores_from_train_id_predictions(
        cityscapes_root, tmp_path):
    metric = CityscapesOfficialMetric(
        output_dir=str(tmp_path / 'pngs'), verbose=False)
    samples = []
    for gt_file in val_label_ids(cityscapes_root):
        train_ids = np.array(
            Image.open(gt_file.replace('labelIds', 'labelTrainIds')))
        samples.append(
            dict(
                img_path=gt_file,
                seg_map_path=gt_file.replace('labelIds', 'labelTrainIds'),
                pred_sem_seg=dict(  # int64, like a segmentor's output
                    data=torch.from_numpy(train_ids.astype(np.int64))[None])))
    metric.process({}, samples)
    scores = metric.compute_metrics(metric.results)
    assert scores == dict(
        classIoU=100.0,
        classiIoU=100.0,
        categoryIoU=100.0,
        categoryiIoU=100.0)

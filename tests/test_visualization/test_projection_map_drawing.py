import numpy as np
import pytest
import torch

from glore_mmseg.visualization import (draw_legend, draw_node_assignment,
                                       label_positions, majority_filter,
                                       most_active_nodes, node_assignment,
                                       node_palette, node_shares,
                                       region_boundaries)


def test_most_active_nodes_rank_by_mean_absolute_weight():
    maps = torch.zeros(4, 2, 3)
    maps[0] = -2.0  # strong negative weights pool as much as positive ones
    maps[1] = 0.5
    maps[2, 0, 0] = 9.0  # one strong position: mean 1.5
    assert most_active_nodes(maps, 3) == [0, 2, 1]
    assert most_active_nodes(maps, 10) == [0, 2, 1, 3]


def test_node_assignment_is_the_argmax_at_the_image_size():
    maps = torch.zeros(3, 2, 2)
    maps[2, 0, :] = 1.0  # top row: node 2
    maps[1, 1, :] = 1.0  # bottom row: node 1
    assignment = node_assignment(maps, (4, 6))
    assert assignment.shape == (4, 6)
    assert (assignment[0] == 2).all() and (assignment[-1] == 1).all()


def test_palette_gives_each_node_its_own_colour():
    palette = node_palette(64)
    assert len(set(palette)) == 64
    assert all(len(color) == 3 and max(color) <= 255 for color in palette)


def test_majority_filter_removes_speckle_and_keeps_region_edges():
    assignment = np.zeros((20, 30), np.int64)
    assignment[:, 15:] = 1  # two halves
    assignment[5, 5] = 2  # one-pixel speckle inside node 0
    assignment[12:14, 20:22] = 3  # 2x2 speckle inside node 1
    smooth = majority_filter(assignment, 5)
    expected = np.zeros((20, 30), np.int64)
    expected[:, 15:] = 1
    np.testing.assert_array_equal(smooth, expected)
    np.testing.assert_array_equal(majority_filter(assignment, 1), assignment)
    with pytest.raises(ValueError, match='kernel_size must be odd'):
        majority_filter(assignment, 4)


def test_majority_filter_keeps_regions_wider_than_its_window():
    assignment = np.zeros((20, 20), np.int64)
    assignment[4:16, 4:16] = 7
    smooth = majority_filter(assignment, 3)
    # A square keeps its body; only its corners round off.
    assert (smooth[5:15, 5:15] == 7).all()
    assert (smooth[:4] == 0).all() and (smooth[:, 16:] == 0).all()


def test_region_boundaries_are_one_pixel_lines_between_regions():
    assignment = np.zeros((4, 6), np.int64)
    assignment[:, 3:] = 1
    edges = region_boundaries(assignment)
    assert edges.sum() == 4 and edges[:, 2].all()
    assert not region_boundaries(np.zeros((4, 6), np.int64)).any()


def test_node_shares_list_present_nodes_by_area():
    assignment = np.array([[3, 3, 3, 1], [3, 3, 5, 5]])
    assert node_shares(assignment) == [(3, 5 / 8), (5, 2 / 8), (1, 1 / 8)]


def test_labels_sit_inside_their_region_and_away_from_the_edge():
    assignment = np.zeros((40, 120), np.int64)
    assignment[:, 60:] = 1
    assignment[0:3, 0:3] = 2  # too small for its label
    sizes = {0: (10, 8), 1: (10, 8), 2: (10, 8)}
    positions = label_positions(assignment, sizes)
    assert set(positions) == {0, 1}
    for node, (x, y) in positions.items():
        half = 6  # half the label's larger side + a pixel
        box = assignment[y - half:y + half + 1, x - half:x + half + 1]
        assert box.shape == (2 * half + 1, 2 * half + 1)  # not at the edge
        assert (box == node).all()


def test_legend_wraps_inside_the_image_width():
    palette = node_palette(64)
    shares = [(node, 1 / 64) for node in range(64)]
    strip = draw_legend(shares, palette, width=200)
    assert strip.shape[1] == 200
    one_row = draw_legend(shares[:1], palette, width=200)
    assert strip.shape[0] > 10 * one_row.shape[0]  # many rows, none cut off
    colours = {tuple(c) for c in strip.reshape(-1, 3)}
    assert all(colour in colours for colour in palette)


def test_assignment_picture_has_boundaries_labels_and_a_legend():
    maps = torch.zeros(8, 4, 8)
    maps[5, :, :4] = 1.0  # left half: node 5
    maps[2, :, 4:] = 1.0  # right half: node 2
    maps[6, 1, 1] = 5.0  # one speckled feature position
    image = np.full((64, 128, 3), 128, np.uint8)
    picture = draw_node_assignment(image, maps, kernel_size=41)
    assert picture.shape[1] == 128 and picture.shape[0] > 64
    body, legend = picture[:64], picture[64:]
    palette = node_palette(8)
    # Only the two halves remain, split by a black line at x = 63.
    assert (body[:, 63] == 0).all()
    left = np.round(128 * 0.5 + np.array(palette[5]) * 0.5)
    right = np.round(128 * 0.5 + np.array(palette[2]) * 0.5)
    assert (body[:, 2] == left).all() and (body[:, 125] == right).all()
    # Node indices are drawn in white inside both halves (the colours
    # over the grey image stay below 180).
    assert (body[:, :63] > 240).all(-1).any()
    assert (body[:, 64:] > 240).all(-1).any()
    legend_colours = {tuple(c) for c in legend.reshape(-1, 3)}
    assert palette[5] in legend_colours and palette[2] in legend_colours
    assert palette[6] not in legend_colours

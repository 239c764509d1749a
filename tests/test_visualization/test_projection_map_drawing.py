import torch

from glore_mmseg.visualization import (most_active_nodes, node_assignment,
                                       node_palette)


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

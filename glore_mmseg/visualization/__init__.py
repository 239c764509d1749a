"""Drawing of GloRe projection maps and of training-loss curves."""
from .loss_curves import plot_loss_curves, plot_loss_panels
from .projection_map_drawing import (draw_node_assignment, draw_node_grid,
                                     most_active_nodes, node_assignment,
                                     node_palette)

__all__ = [
    'draw_node_assignment', 'draw_node_grid', 'most_active_nodes',
    'node_assignment', 'node_palette', 'plot_loss_curves',
    'plot_loss_panels'
]

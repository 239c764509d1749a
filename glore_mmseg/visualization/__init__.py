"""Drawing of GloRe projection maps and of training-loss curves."""
from .loss_curves import plot_loss_curves, plot_loss_panels
from .projection_map_drawing import (draw_legend, draw_node_assignment,
                                     draw_node_grid, label_positions,
                                     majority_filter, most_active_nodes,
                                     node_assignment, node_palette,
                                     node_shares, region_boundaries)

__all__ = [
    'draw_legend', 'draw_node_assignment', 'draw_node_grid',
    'label_positions', 'majority_filter', 'most_active_nodes',
    'node_assignment', 'node_palette', 'node_shares', 'plot_loss_curves',
    'plot_loss_panels', 'region_boundaries'
]

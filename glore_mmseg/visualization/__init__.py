"""Drawing of GloRe projection maps."""
from .projection_map_drawing import (draw_node_assignment, draw_node_grid,
                                     most_active_nodes, node_assignment,
                                     node_palette)

__all__ = [
    'draw_node_assignment', 'draw_node_grid', 'most_active_nodes',
    'node_assignment', 'node_palette'
]

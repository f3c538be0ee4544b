"""Interactive ipywidgets for the course notebooks (display only: nothing graded depends on a widget).

One module per chapter; every widget is also importable from here. The widget gallery notebook
(course/widget_gallery/) shows them all.
"""
from .delta_rule import delta_rule_explorer, delta_rule_step, describe_step
from .techniques import backward_stepper, draw_graph, optimizer_paths
from .models import (TrainingMonitor, code_space_explorer, fit_live, gradient_norm_explorer, image_explorer,
                     playground, snapshot_explorer)
from .software import dynamic_graph_explorer
from .practices import init_explorer
from .case_studies import temperature_explorer, threshold_explorer

__all__ = [
    "delta_rule_explorer", "delta_rule_step", "describe_step",
    "backward_stepper", "draw_graph", "optimizer_paths",
    "playground", "fit_live", "TrainingMonitor", "gradient_norm_explorer", "image_explorer",
    "code_space_explorer", "snapshot_explorer",
    "dynamic_graph_explorer", "init_explorer", "temperature_explorer", "threshold_explorer",
]

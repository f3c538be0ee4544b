"""Interactive ipywidgets for the course notebooks (display only: nothing graded depends on a widget)."""
from .delta_rule import delta_rule_explorer, delta_rule_step, describe_step

__all__ = ["delta_rule_explorer", "delta_rule_step", "describe_step"]

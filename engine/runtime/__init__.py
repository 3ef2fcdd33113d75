"""Running cases: the only package that drives SpiffWorkflow's ``BpmnWorkflow``."""
from .operations import claim_task, complete_task, reassign_task, start_process, unclaim_task

__all__ = ["claim_task", "complete_task", "reassign_task", "start_process", "unclaim_task"]

"""Running cases: start, claim, complete, fire timers and run the worker's sweeps; it alone drives ``BpmnWorkflow``.
May use: ``engine.definitions``, ``engine.people``, ``engine.scripting``, ``engine.cases``, ``engine.time``, ``engine.spiff``, ``engine.storage``."""
from engine.runtime.operations import claim_task, complete_task, reassign_task, start_process, unclaim_task

__all__ = ["claim_task", "complete_task", "reassign_task", "start_process", "unclaim_task"]

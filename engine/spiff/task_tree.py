"""A case's SpiffWorkflow task tree, kept small as the case loops and judged as a whole.

SpiffWorkflow 3.2 never drops a finished task: each round of a loop (P2's "until resolved", P3's
measures) hangs a new copy of the loop's tasks below the last, so the tree gets one round deeper every
time. Its walks (``TaskIterator``) stop at depth 1000: past about 250 to 333 rounds, depending on the
loop, ``Workflow.is_completed`` found no unfinished task and closed a case whose task still waited, and
the walks that look for ready gateways and waiting timers missed them. Every step also walked the whole
history, so each one cost more than the last.

``prune_finished_rounds`` does what SpiffWorkflow's old loop-reset task did: when a path through the
tree passes the same element twice, the round in between is over, and the later task takes the earlier
one's place. Only finished tasks go, and only where nothing still running can look at them: every task
on the path in between has exactly one child with anything unfinished below it (the next task on the
path), so what hangs off the side (boundary events, parallel branches, event subprocesses) is either
over or kept. The audit log keeps the history of what the pruned tasks did.

``is_finished`` decides completion from every task of the case, never from a depth-limited walk.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

__all__ = ["is_finished", "prune_finished_rounds"]


def is_finished(workflow: BpmnWorkflow) -> bool:
    """Whether no task of the case is unfinished (waiting, ready, started or still to come).

    Reads every task, where ``Workflow.is_completed`` walks the tree to depth 1000 only and then
    remembers a wrong answer in the saved state.
    """
    return not any(t.state & TaskState.NOT_FINISHED_MASK for t in workflow.tasks.values())


def prune_finished_rounds(workflow: BpmnWorkflow) -> int:
    """Drop the finished rounds of every loop in the case's task trees; returns how many tasks went.

    Runs over the top workflow and every subprocess still running (a finished subprocess is never
    walked again). Cost: one pass over the tasks.
    """
    removed = _prune(workflow, workflow)
    for parent_id in list(workflow.subprocesses):
        subprocess = workflow.subprocesses.get(parent_id)
        if subprocess is None:
            continue  # it went with a finished round of the subprocess pruned just before
        parent = workflow.get_task_from_id(parent_id)
        if not parent.has_state(TaskState.FINISHED_MASK):
            removed += _prune(workflow, subprocess)
    return removed


def _prune(top: BpmnWorkflow, workflow: Any) -> int:
    tasks: dict[UUID, Any] = workflow.tasks
    if not _has_repeats(tasks):
        return 0  # no element was done twice: no round to drop (most steps of most cases)
    live = _unsettled(tasks)
    if not live:
        return 0
    keep_last = workflow.last_task.id if workflow.last_task is not None else None
    removed = 0
    # Each entry: a task to look at and the path above it since the last fork, as (spec name, task) pairs.
    stack: list[tuple[Any, list[tuple[str, Any]]]] = [(workflow.task_tree, [])]
    while stack:
        task, path = stack.pop()
        ahead = [c for c in task._children if c in live]
        if task.state != TaskState.COMPLETED or len(ahead) != 1:
            # A fork, or a task not done: what lies below starts a path of its own.
            stack.extend((tasks[c], []) for c in ahead)
            continue
        name = task.task_spec.name
        earlier = next((i for i, (n, _) in enumerate(path) if n == name), None)
        if earlier is not None:
            dropped = _splice(top, workflow, path[earlier][1], task, keep_last)
            if dropped:
                removed += dropped
                path = path[:earlier]
        path.append((name, task))
        stack.append((tasks[ahead[0]], path))
    return removed


def _has_repeats(tasks: dict[UUID, Any]) -> bool:
    done: set[Any] = set()
    for task in tasks.values():
        if task.state == TaskState.COMPLETED:
            if task.task_spec in done:
                return True
            done.add(task.task_spec)
    return False


def _unsettled(tasks: dict[UUID, Any]) -> set[UUID]:
    """Ids of the tasks that are unfinished or have an unfinished task below them."""
    live: set[UUID] = set()
    for task in tasks.values():
        if not task.state & TaskState.NOT_FINISHED_MASK:
            continue
        node_id = task.id
        while node_id is not None and node_id not in live:
            live.add(node_id)
            node_id = tasks[node_id]._parent
    return live


def _splice(top: BpmnWorkflow, workflow: Any, earlier: Any, later: Any, keep_last: UUID | None) -> int:
    """Put ``later`` where ``earlier`` is, dropping ``earlier`` and all below it but ``later``'s subtree.

    Nothing is dropped when the workflow's last completed task would go: its data is the case's latest
    (``projection.case_data``), and the round goes at a later step instead.
    """
    tasks: dict[UUID, Any] = workflow.tasks
    doomed: list[UUID] = []
    todo = [earlier.id]
    while todo:
        task_id = todo.pop()
        if task_id == later.id:
            continue
        if task_id == keep_last:
            return 0
        doomed.append(task_id)
        todo.extend(tasks[task_id]._children)
    parent = tasks[earlier._parent]
    parent._children[parent._children.index(earlier.id)] = later.id
    later._parent = parent.id
    for task_id in doomed:
        if task_id in top.subprocesses:  # a call activity or subprocess of a finished round
            top.delete_subprocess(tasks[task_id])
        top.event_manager.remove_task(tasks[task_id])
        del tasks[task_id]
    return len(doomed)

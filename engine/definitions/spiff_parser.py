"""SpiffWorkflow's Camunda parser, taught to keep the task attributes schoolflow acts on.

The stock parser drops ``camunda:assignee``, ``candidateUsers``, ``candidateGroups``, ``dueDate`` and
``priority``, and a start event's ``camunda:property`` entries; ours stores them in
``task_spec.extensions`` (which survives serialization).
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import CamundaStartEventParser
from SpiffWorkflow.camunda.parser.task_spec import UserTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask

TASK_ATTRIBUTES = ("assignee", "candidateUsers", "candidateGroups", "dueDate", "priority")


class SchoolUserTaskParser(UserTaskParser):  # type: ignore[misc]
    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        for name in TASK_ATTRIBUTES:
            value = self.attribute(name, "camunda")
            if value is not None:
                extensions["camunda:" + name] = value
        return extensions


class SchoolStartEventParser(CamundaStartEventParser):  # type: ignore[misc]
    """Keeps a start event's ``camunda:property`` entries (a schedule's ``workingDay`` option)."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        return {ex.get("name"): ex.get("value") for ex in
                self.xpath("./bpmn:extensionElements/camunda:properties/camunda:property")}


class SchoolParser(CamundaParser):  # type: ignore[misc]
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (SchoolUserTaskParser, UserTask),
        full_tag("startEvent"): (SchoolStartEventParser, StartEvent),
    }

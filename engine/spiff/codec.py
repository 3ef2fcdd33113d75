"""JSON encoding of SpiffWorkflow specs and instance state, with the spec kept out of instance state.

The spec is serialized once per definition version; instance state holds only tasks and data
(about half the bytes and twice the speed of SpiffWorkflow's default of embedding the spec every time).
The serializer's private encoder switches are touched here and nowhere else.
"""
from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from engine.spiff.host_timers import HOST_TIMERS

SpecPair = tuple[Any, dict[str, Any]]  # (BpmnProcessSpec, {id: subprocess spec})


class _StateOnlyConverter(BpmnWorkflowConverter):
    """Leaves the spec out while encoding, instead of encoding it and throwing it away (a third of a save)."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)  # WorkflowConverter: tasks and data
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


class SpiffCodec:
    """Encodes specs and workflow state; one instance per process is enough (it holds no per-case state)."""

    def __init__(self) -> None:
        config = deepcopy(CAMUNDA_CONFIG)
        config.update({cls: TimerConditionalEventDefinitionConverter for cls in HOST_TIMERS})
        config[BpmnWorkflow] = _StateOnlyConverter
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
        self._specs: dict[str, SpecPair] = {}

    def dump_spec(self, spec: Any, subprocess_specs: dict[str, Any]) -> str:
        ser = self.serializer
        return json.dumps(
            {
                "spec": ser.to_dict(spec),
                "subprocess_specs": {k: ser.to_dict(v) for k, v in subprocess_specs.items()},
            },
            cls=ser._encoder_cls,
        )

    def load_spec(self, cache_key: str, spec_json: str) -> SpecPair:
        """Restore a spec, cached by ``cache_key``; specs are immutable, so one object serves every case."""
        pair = self._specs.get(cache_key)
        if pair is None:
            raw = json.loads(spec_json)
            ser = self.serializer
            pair = (
                ser.from_dict(raw["spec"]),
                {k: ser.from_dict(v) for k, v in raw["subprocess_specs"].items()},
            )
            self._specs[cache_key] = pair
        return pair

    def dump_state(self, workflow: BpmnWorkflow) -> str:
        ser = self.serializer
        ser.registry._encoder_mode = True  # what serialize_json does: datetimes and UUIDs as JSON values
        try:
            dct = ser.to_dict(workflow)
        finally:
            ser.registry._encoder_mode = False
        dct[ser.VERSION_KEY] = ser.VERSION
        return json.dumps(dct, cls=ser._encoder_cls, ensure_ascii=False, separators=(",", ":"))

    def load_state(self, state: str, specs: SpecPair) -> BpmnWorkflow:
        ser = self.serializer
        dct = json.loads(state, cls=ser.json_decoder_cls)
        ser.migrate(dct)
        dct["spec"], dct["subprocess_specs"] = specs[0], dict(specs[1])
        return ser.from_dict(dct)


codec = SpiffCodec()

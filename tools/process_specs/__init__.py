"""Descriptions of the shipped procedures, one module per BPMN file; ``ALL`` lists them in build order."""
from __future__ import annotations

from importlib import import_module

MODULES = [
    "p1_visitor_reception",
    "p1_archive_access",
    "p2_parent_student_complaints",
    "p2_complaint_box_round",
    "p3_institution_parent_complaints",
    "p4_trainee_complaints",
    "p5_communication_groups",
    "ex_hospital_complaints",
    "ex_customer_service_complaints",
]


def all_definitions() -> list:
    out = []
    for name in MODULES:
        try:
            module = import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue  # not written yet
            raise
        out.append(module.DEFINITIONS)
    return out

"""Turn the bytes of a procedure file into checked SpiffWorkflow specs, or a ``DefinitionError``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.errors import DefinitionError, Problem
from engine.spiff.host_timers import install_host_timers
from engine.definitions.policy import NS, policy_problems
from engine.definitions.spiff_parser import SchoolParser
from engine.definitions.xml_input import parse_xml, schema_problems


@dataclass
class ParsedProcess:
    key: str
    name: str | None
    spec: Any
    subprocess_specs: dict[str, Any]
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedFile:
    file_name: str
    content: bytes
    processes: list[ParsedProcess]


def parse_procedure(data: bytes, file_name: str, *, allow_scripts: bool = False) -> ParsedFile:
    """Parse and check a procedure file completely.

    :raises DefinitionError: listing every problem found, each with file, line and element id.
    """
    tree, problems = parse_xml(data, file_name)
    if tree is None:
        raise DefinitionError(problems)
    problems = schema_problems(tree, file_name)
    if problems:  # later checks assume a structurally valid file
        raise DefinitionError(problems)
    problems = policy_problems(tree, file_name, allow_scripts)
    processes: list[ParsedProcess] = []
    if not problems:  # SpiffWorkflow's parser is only asked about what the engine would run
        processes, problems = _spiff_specs(tree, file_name)
    if not problems and not processes:
        problems.append(Problem(file_name, None, None, "the file has no executable process "
                                                       "(isExecutable=\"true\")"))
    if problems:
        raise DefinitionError(problems)
    return ParsedFile(file_name, data, processes)


def _spiff_specs(tree: etree._ElementTree, file_name: str) -> tuple[list[ParsedProcess], list[Problem]]:
    parser = SchoolParser()
    try:
        parser.add_bpmn_xml(tree, filename=file_name)
        out = []
        for key in parser.get_process_ids():
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
            install_host_timers([spec, *subprocess_specs.values()])
            out.append(ParsedProcess(key, spec.description, spec, subprocess_specs,
                                     _process_properties(tree, key)))
        return out, []
    except ValidationException as exc:
        return [], [_from_spiff(exc, tree, file_name)]
    except (KeyError, AttributeError, TypeError, ValueError, IndexError, AssertionError) as exc:
        # The library's parser has gaps on unusual input; an unreadable file is refused, never a crash.
        return [], [Problem(file_name, None, None, f"the file could not be read as a process ({exc!r})")]


def _from_spiff(exc: ValidationException, tree: etree._ElementTree, file_name: str) -> Problem:
    element_id = getattr(exc, "id", None)
    line = getattr(exc, "line_number", None) or None
    if element_id and not line:
        found = tree.xpath("//*[@id=$id]", id=element_id)
        line = found[0].sourceline if found else None
    message = str(exc).split("\n")[0]
    return Problem(file_name, line, element_id, _explain(message))


def _explain(message: str) -> str:
    # SpiffWorkflow's wording for common mistakes, restated for the person who drew the diagram.
    if "Non-default exclusive outgoing sequence flow" in message:
        return "a flow leaving an exclusive gateway has no condition and is not the default flow"
    if "No start event found" in message:
        return "the process has no start event"
    if "perhaps a form has the same ID" in message:
        return "a sequence flow points to an element that does not exist, or two elements share an id"
    return message


def _process_properties(tree: etree._ElementTree, key: str) -> dict[str, str]:
    props = tree.xpath(
        "//bpmn:process[@id=$key]/bpmn:extensionElements/camunda:properties/camunda:property",
        namespaces=NS, key=key,
    )
    return {p.get("name"): p.get("value") or "" for p in props if p.get("name")}

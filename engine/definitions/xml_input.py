"""Reading an untrusted procedure file: safe XML parsing and BPMN 2.0 schema validation."""
from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator

from ..errors import Problem

MAX_BYTES = 5 * 1024 * 1024


def _safe_parser() -> etree.XMLParser:
    # No entity expansion, no DTD loading, no network: an uploaded file cannot read files or call out.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def parse_xml(data: bytes, file_name: str) -> tuple[etree._ElementTree | None, list[Problem]]:
    """Parse ``data`` safely; return the tree, or ``None`` and the reasons it was refused."""
    if len(data) > MAX_BYTES:
        return None, [Problem(file_name, None, None,
                              f"the file is {len(data) // 1024} KB; the limit is {MAX_BYTES // 1024} KB")]
    if not data.strip():
        return None, [Problem(file_name, None, None, "the file is empty")]
    try:
        tree = etree.ElementTree(etree.fromstring(data, _safe_parser()))
    except etree.XMLSyntaxError as exc:
        return None, [Problem(file_name, exc.lineno, None, f"the file is not well-formed XML: {exc.msg}")]
    if tree.docinfo.doctype:
        return None, [Problem(file_name, 1, None, "DOCTYPE declarations are not allowed in procedure files")]
    return tree, []


@functools.lru_cache(maxsize=1)
def _validator() -> BpmnValidator:
    return BpmnValidator()


def schema_problems(tree: etree._ElementTree, file_name: str) -> list[Problem]:
    """Every BPMN 2.0 XSD violation, with its line."""
    validator = _validator()
    validator.preprocess(tree)
    if validator.validator.validate(tree):
        return []
    return [
        Problem(file_name, err.line, None, f"not valid BPMN 2.0: {_clean(err.message)}")
        for err in validator.validator.error_log
    ]


def _clean(message: str) -> str:
    return message.replace("{http://www.omg.org/spec/BPMN/20100524/MODEL}", "bpmn:")


def display_name(path: str | Path) -> str:
    return Path(path).name

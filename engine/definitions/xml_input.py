"""Reading an untrusted procedure file: safe XML parsing and BPMN 2.0 schema validation."""
from __future__ import annotations

import functools
import re
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator

from engine.errors import Problem

MAX_BYTES = 5 * 1024 * 1024
DOCTYPE_REFUSED = "DOCTYPE declarations are not allowed in procedure files"


def _safe_parser() -> etree.XMLParser:
    # No entity expansion, no DTD loading, no network: an uploaded file cannot read files or call out.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def parse_xml(data: bytes, file_name: str) -> tuple[etree._ElementTree | None, list[Problem]]:
    """Parse ``data`` safely; return the tree, or ``None`` and the reasons it was refused."""
    if len(data) > MAX_BYTES:
        return None, [Problem(file_name, None, None,
                              f"the file is {-(-len(data) // 1024)} KB; the limit is {MAX_BYTES // 1024} KB")]
    if not data.strip():
        return None, [Problem(file_name, None, None, "the file is empty")]
    doctype = _prolog_doctype_line(data)
    if doctype:  # refused before libxml2 reads the DTD, whatever entities it declares
        return None, [Problem(file_name, doctype, None, DOCTYPE_REFUSED)]
    try:
        tree = etree.ElementTree(etree.fromstring(data, _safe_parser()))
    except etree.XMLSyntaxError as exc:
        return None, [Problem(file_name, exc.lineno, None, f"the file is not well-formed XML: {exc.msg}")]
    if tree.docinfo.doctype:
        return None, [Problem(file_name, 1, None, DOCTYPE_REFUSED)]
    return tree, []


_SPACE = re.compile(rb"\s*")


def _prolog_doctype_line(data: bytes) -> int | None:
    """The line of a DOCTYPE in the prolog (after the XML declaration, comments, processing instructions)."""
    i = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while True:
        i = _SPACE.match(data, i).end()  # type: ignore[union-attr]
        if data.startswith(b"<!DOCTYPE", i):
            return data[:i].count(b"\n") + 1
        closing = b"?>" if data.startswith(b"<?", i) else b"-->" if data.startswith(b"<!--", i) else None
        end = data.find(closing, i) if closing else -1
        if end < 0:
            return None
        i = end + len(closing)  # type: ignore[arg-type]


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
        Problem(file_name, err.line, _element_id_at(tree, err.line, err.message),
                f"not valid BPMN 2.0: {_clean(err.message)}")
        for err in validator.validator.error_log
    ]


_ERROR_ELEMENT = re.compile(r"Element '([^']+)'")


def _element_id_at(tree: etree._ElementTree, line: int, message: str) -> str | None:
    """The id of the element the schema error is about (or of its nearest ancestor with one)."""
    m = _ERROR_ELEMENT.search(message)
    on_line = [el for el in tree.iter() if isinstance(el.tag, str) and el.sourceline == line]
    el = next((e for e in on_line if m and e.tag == m.group(1)), on_line[0] if on_line else None)
    while el is not None and not el.get("id"):
        el = el.getparent()
    return el.get("id") if el is not None else None


def _clean(message: str) -> str:
    return message.replace("{http://www.omg.org/spec/BPMN/20100524/MODEL}", "bpmn:")


def display_name(path: str | Path) -> str:
    return Path(path).name

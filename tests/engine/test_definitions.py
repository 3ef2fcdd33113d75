"""Deploying procedure files: what is refused (with file, line, element and a sentence), and versions.

A refused file stores nothing and leaves the active version active; identical content is a no-op; new
content makes a new version while running cases stay on the version they started on.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from engine import definitions
from engine.definitions.xml_input import MAX_BYTES
from engine.errors import DefinitionError, InstanceError
from engine.storage.models import AuditEvent, Definition
from tests.helpers import DATA, Harness

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://schoolflow.example/test">
  <bpmn:process id="proc" name="Test procedure" isExecutable="true">
"""
TAIL = """  </bpmn:process>
</bpmn:definitions>
"""
LINEAR = """    <bpmn:startEvent id="start" />
    <bpmn:userTask id="task" name="Do it" camunda:candidateGroups="office" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
"""
PASSWD = Path("/etc/passwd").read_text().splitlines()[0]


def bpmn(body: str = LINEAR) -> str:
    return HEAD + body + TAIL


def line_of(xml: str, needle: str) -> int:
    """The 1-based line of ``needle`` in ``xml`` (so expected lines follow the text, not a guess)."""
    assert needle in xml, needle
    return xml[: xml.index(needle)].count("\n") + 1


def refused(harness: Harness, xml: str | bytes, name: str = "upload.bpmn", **kwargs) -> DefinitionError:
    data = xml.encode() if isinstance(xml, str) else xml
    with pytest.raises(DefinitionError) as info:
        harness.deploy_bytes(data, name, **kwargs)
    assert all(p.file == name for p in info.value.problems)
    return info.value


def stored_definitions(harness: Harness) -> list[tuple[str, int]]:
    with harness.Session() as s:
        return [(d.process_key, d.version) for d in s.scalars(sa.select(Definition).order_by(Definition.id))]


def audit_kinds(harness: Harness) -> list[str]:
    with harness.Session() as s:
        return list(s.scalars(sa.select(AuditEvent.kind).order_by(AuditEvent.seq)))


# --- refusals at the XML level -------------------------------------------------------------------


def test_malformed_xml_names_the_line_where_it_breaks(harness):
    xml = bpmn().replace('<bpmn:endEvent id="end" />', '<bpmn:endEvent id="end">')
    err = refused(harness, xml)
    [p] = err.problems
    # libxml2 notices the missing close tag where the enclosing element ends
    assert p.line == line_of(xml, "</bpmn:process>")
    assert p.message.startswith("the file is not well-formed XML")
    assert "endEvent" in p.message
    assert stored_definitions(harness) == []


XXE_FILES = {
    "internal entity reading a file": """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true"><bpmn:documentation>&xxe;</bpmn:documentation>
    <bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>""",
    "entity in an attribute": """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p" name="&xxe;" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>""",
    "external DTD": """<?xml version="1.0"?>
<!DOCTYPE d SYSTEM "file:///etc/passwd">
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>""",
    "parameter entity": """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>""",
}


@pytest.mark.parametrize("xml", XXE_FILES.values(), ids=XXE_FILES.keys())
def test_external_entities_are_refused_and_the_file_is_never_read(harness, xml):
    err = refused(harness, xml)
    assert len(err.problems) == 1
    assert err.line == 2  # the DOCTYPE line
    assert err.problems[0].message == "DOCTYPE declarations are not allowed in procedure files"
    everything = str(err) + repr(err.problems) + "".join(str(a) for a in err.args)
    assert PASSWD not in everything
    assert "root:" not in everything
    assert stored_definitions(harness) == []


def test_billion_laughs_is_refused_before_any_expansion(harness):
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    xml = f"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY lol0 "lol">{lol}]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true"><bpmn:documentation>&lol9;</bpmn:documentation>
    <bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>"""
    err = refused(harness, xml)
    [p] = err.problems
    assert p.line == 2
    assert p.message == "DOCTYPE declarations are not allowed in procedure files"
    assert "lollol" not in str(err)


def test_a_file_over_the_size_limit_is_refused_with_both_sizes(harness):
    xml = bpmn().replace("<bpmn:startEvent", "<!--" + " " * MAX_BYTES + "-->\n    <bpmn:startEvent")
    err = refused(harness, xml)
    [p] = err.problems
    assert p.line is None and p.element_id is None  # about the whole file
    assert p.message == f"the file is {len(xml.encode()) // 1024 + 1} KB; the limit is {MAX_BYTES // 1024} KB"


def test_an_empty_file_is_refused(harness):
    err = refused(harness, b"  \n ")
    assert err.problems[0].message == "the file is empty"


def test_an_unknown_bpmn_element_is_a_schema_violation_with_line_and_id(harness):
    xml = bpmn(LINEAR.replace('<bpmn:endEvent id="end" />', '<bpmn:endEvent id="end" />\n'
                                                           '    <bpmn:reviewTask id="mystery" />'))
    err = refused(harness, xml)
    [p] = err.problems
    assert (p.line, p.element_id) == (line_of(xml, 'id="mystery"'), "mystery")
    assert p.message.startswith("not valid BPMN 2.0: Element 'bpmn:reviewTask': This element is not expected")
    assert "{http" not in p.message  # namespaces are shortened for people


# --- refusals by policy: one case per construct schoolflow will not run -------------------------

GATEWAY = """    <bpmn:startEvent id="start" />
    <bpmn:exclusiveGateway id="gw" DEFAULT />
    <bpmn:endEvent id="yes" />
    <bpmn:endEvent id="no" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw" />
    <bpmn:sequenceFlow id="to_yes" sourceRef="gw" targetRef="yes">
      <bpmn:conditionExpression>CONDITION</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_no" sourceRef="gw" targetRef="no" />
"""


def gateway(condition: str, default: bool = True) -> str:
    return GATEWAY.replace("DEFAULT", 'default="to_no"' if default else "").replace("CONDITION", condition)


def with_task(task_xml: str) -> str:
    original = '<bpmn:userTask id="task" name="Do it" camunda:candidateGroups="office" />'
    return LINEAR.replace(original, task_xml)


SCRIPT_TASK = """    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="calc" name="Calculate" scriptFormat="python">
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc" />
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="end" />
"""

# (body, the element the problem must point at, the line's marker in the file, words of the sentence)
REFUSALS = {
    "script task without permission": (
        SCRIPT_TASK.replace("SCRIPT", "x = 1"), "calc", 'id="calc"',
        "script tasks are disabled for this file; an administrator can deploy it with scripts allowed"),
    "service task": (
        LINEAR + '    <bpmn:serviceTask id="call_api" name="Call API" />\n', "call_api", 'id="call_api"',
        "service tasks call other systems"),
    "data store reference": (
        LINEAR + '    <bpmn:dataStoreReference id="records" name="Records" />\n', "records", 'id="records"',
        "data stores are not supported"),
    "camunda task listener": (
        with_task('<bpmn:userTask id="task" name="Do it" camunda:candidateGroups="office">\n'
                  '      <bpmn:extensionElements>\n'
                  '        <camunda:taskListener class="org.example.Notify" event="create" />\n'
                  '      </bpmn:extensionElements>\n    </bpmn:userTask>'),
        "task", "<camunda:taskListener", "listeners run Java or scripts and are not run by schoolflow"),
    "gateway flow without a condition": (
        gateway("${approved}", default=False), "to_no", 'id="to_no"',
        "a flow leaving an exclusive gateway has no condition and is not the default flow"),
    "condition that is not an expression": (
        gateway("a &gt;"), "to_yes", "<bpmn:conditionExpression>",
        "the conditionExpression is refused: 'a >' is not a valid expression"),
    "condition using __import__": (
        gateway("__import__('os').system('id')"), "to_yes", "<bpmn:conditionExpression>",
        "names starting with '_' are not allowed ('__import__')"),
    "timer with an empty duration": (
        """    <bpmn:startEvent id="start" />
    <bpmn:intermediateCatchEvent id="wait" name="Wait">
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration></bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
""", "wait", "<bpmn:timeDuration>", "the timer's timeDuration is empty"),
    "form field of an unknown type": (
        with_task('<bpmn:userTask id="task" name="Do it" camunda:candidateGroups="office">\n'
                  '      <bpmn:extensionElements><camunda:formData>\n'
                  '        <camunda:formField id="favourite" label="Colour" type="colour" />\n'
                  '      </camunda:formData></bpmn:extensionElements>\n    </bpmn:userTask>'),
        "favourite", 'id="favourite"',
        "form field 'favourite' has type 'colour'; "
        "allowed types are boolean, date, enum, file, long, string"),
    "due date that is neither expression nor ISO": (
        with_task('<bpmn:userTask id="task" name="Do it" camunda:dueDate="next Tuesday" />'), "task",
        'id="task"', "camunda:dueDate 'next Tuesday' is neither an expression"),
}


@pytest.mark.parametrize("body, element_id, marker, sentence", REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_construct_is_reported_at_its_element(harness, body, element_id, marker, sentence):
    xml = bpmn(body)
    err = refused(harness, xml, "visit.bpmn")
    assert len(err.problems) == 1, err.problems
    [p] = err.problems
    assert (p.file, p.line, p.element_id) == ("visit.bpmn", line_of(xml, marker), element_id)
    assert sentence in p.message
    assert str(p).startswith(f"visit.bpmn:{p.line} [{element_id}]: ")
    assert stored_definitions(harness) == []
    assert audit_kinds(harness) == []


def test_every_problem_of_a_file_is_reported_at_once(harness):
    body = with_task(
        '<bpmn:userTask id="task" name="Do it" camunda:dueDate="soon">\n'
        '      <bpmn:extensionElements><camunda:formData>\n'
        '        <camunda:formField id="mood" type="feeling" />\n'
        '      </camunda:formData></bpmn:extensionElements>\n    </bpmn:userTask>'
    ) + '    <bpmn:serviceTask id="svc" />\n    <bpmn:dataStoreReference id="store" />\n'
    xml = bpmn(body)
    err = refused(harness, xml)
    where = sorted((p.line, p.element_id) for p in err.problems)
    assert where == sorted([
        (line_of(xml, 'id="task"'), "task"), (line_of(xml, 'id="mood"'), "mood"),
        (line_of(xml, 'id="svc"'), "svc"), (line_of(xml, 'id="store"'), "store"),
    ])
    # the error's own text lists them all, one per line, for the CLI and the web page
    assert len(str(err).splitlines()) == 4


# --- scripts: only with permission, and then restricted -----------------------------------------


def test_script_task_runs_restricted_when_an_administrator_allows_it(harness):
    [result] = harness.deploy("script.bpmn", allow_scripts=True)
    assert (result.process_key, result.version, result.created) == ("scripted", 1, True)
    harness.user("ann")
    harness.user("bob")
    harness.user("clerk")
    iid = harness.start("scripted", "clerk", {"visitor": "Mr Li", "urgent": False})
    # the script's assignments reached the case: its title and who reviews it
    assert harness.show(iid)["title"] == "Visit by Mr Li"
    assert harness.task_names("bob") == ["Review"]
    assert harness.task_names("ann") == []

    urgent = harness.start("scripted", "clerk", {"visitor": "Ms Wang", "urgent": True})
    assert harness.show(urgent)["title"] == "Visit by Ms Wang"
    assert harness.task_names("ann") == ["Review"]


def test_a_script_failing_at_run_time_stores_no_case(harness):
    harness.deploy("script.bpmn", allow_scripts=True)
    harness.user("clerk")
    with pytest.raises(InstanceError, match="'visitor' is not defined"):
        harness.start("scripted", "clerk", {"urgent": True})
    assert audit_kinds(harness) == ["definition.deployed"]


@pytest.mark.parametrize("script, sentence", [
    ("import os", "'Import' statements are not allowed in scripts"),
    ("from os import system", "'ImportFrom' statements are not allowed in scripts"),
    ("x = __import__('os')", "names starting with '_' are not allowed ('__import__')"),
    ("x = ().__class__.__base__", "names starting with '_' are not allowed"),
])
def test_import_like_scripts_are_refused_at_deploy_even_when_scripts_are_allowed(harness, script, sentence):
    xml = bpmn(SCRIPT_TASK.replace("SCRIPT", script))
    err = refused(harness, xml, allow_scripts=True)
    [p] = err.problems
    assert (p.line, p.element_id) == (line_of(xml, 'id="calc"'), "calc")
    assert p.message.startswith("the script is refused: ")
    assert sentence in p.message


# --- versions ------------------------------------------------------------------------------------


def simple_xml(task_name: str = "Fill") -> bytes:
    text = (DATA / "simple.bpmn").read_text()
    return text.replace('name="Fill"', f'name="{task_name}"').encode()


def test_a_refused_upload_leaves_the_active_version_active(harness):
    harness.deploy_bytes(simple_xml(), "simple.bpmn")
    broken = simple_xml("Fill in").replace(b'<bpmn:endEvent id="end" />',
                                           b'<bpmn:endEvent id="end" /><bpmn:serviceTask id="svc" />')
    refused(harness, broken, "simple.bpmn")
    assert stored_definitions(harness) == [("simple", 1)]

    harness.user("ann", "office")
    iid = harness.start("simple", "ann")
    assert harness.show(iid)["version"] == 1
    assert harness.task_names("ann") == ["Fill"]


def test_deploying_identical_bytes_is_a_no_op(harness):
    [first] = harness.deploy_bytes(simple_xml(), "simple.bpmn")
    [again] = harness.deploy_bytes(simple_xml(), "simple.bpmn")
    assert (first.version, first.created) == (1, True)
    assert (again.version, again.created) == (1, False)
    assert stored_definitions(harness) == [("simple", 1)]
    assert audit_kinds(harness) == ["definition.deployed"]


def test_running_cases_stay_on_their_version_while_new_ones_get_the_new_one(harness):
    harness.user("ann", "office")
    harness.deploy_bytes(simple_xml("Fill"), "simple.bpmn")
    old = harness.start("simple", "ann")

    [v2] = harness.deploy_bytes(simple_xml("Fill in the form"), "simple.bpmn")
    assert (v2.version, v2.created) == (2, True)
    new = harness.start("simple", "ann")

    assert harness.show(old)["version"] == 1
    assert harness.show(new)["version"] == 2
    assert [t["name"] for t in harness.show(old)["open_tasks"]] == ["Fill"]
    assert [t["name"] for t in harness.show(new)["open_tasks"]] == ["Fill in the form"]
    assert sorted(harness.task_names("ann")) == ["Fill", "Fill in the form"]

    harness.do("ann", "Fill", {"approved": True})
    finished = harness.show(old)
    assert (finished["status"], finished["version"]) == ("completed", 1)
    assert harness.task_names("ann") == ["Fill in the form"]


def test_deploying_a_directory_is_all_or_nothing(harness, tmp_path):
    (tmp_path / "a_simple.bpmn").write_bytes(simple_xml())
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "broken.bpmn").write_text(bpmn(LINEAR + '    <bpmn:serviceTask id="svc" />\n'))
    with pytest.raises(DefinitionError) as info:
        harness.deploy(tmp_path)
    [p] = info.value.problems
    assert (Path(p.file).name, p.element_id) == ("broken.bpmn", "svc")
    assert stored_definitions(harness) == []
    assert audit_kinds(harness) == []

    (tmp_path / "nested" / "broken.bpmn").unlink()
    [result] = harness.deploy(tmp_path)
    assert (result.process_key, result.version, result.created) == ("simple", 1, True)


def test_deploying_a_missing_path_says_so(harness, tmp_path):
    with pytest.raises(DefinitionError, match="no such file or directory"):
        harness.deploy(tmp_path / "nope.bpmn")
    with pytest.raises(DefinitionError, match="no .bpmn files found"):
        harness.deploy(tmp_path)


def test_list_definitions_shows_the_latest_version_and_how_many(harness):
    harness.deploy_bytes(simple_xml("A"), "simple.bpmn")
    harness.deploy_bytes(simple_xml("B"), "simple.bpmn")
    harness.deploy("gateway.bpmn")
    with harness.Session() as s:
        rows = [(d.process_key, d.version, n) for d, n in definitions.list_definitions(s)]
    assert rows == [("gateway", 1, 1), ("simple", 2, 2)]

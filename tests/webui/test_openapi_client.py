"""A program that knows the API only from its OpenAPI document (issue #14, "done when").

The client below is given the server's address and a token, nothing else: it reads
``/api/v1/openapi.json``, finds each operation by its ``operationId``, builds the URL from the path
template and the parameters the document declares, checks its request bodies against the document's
schemas and every answer against the declared responses. It starts cases, finds their tasks as the
right user and completes them with data built from the forms as the document describes them (each
field's ``schema``, ``required``, ``readonly``), then reads the case back.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

import jsonschema_rs
import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.helpers import DATA
from tests.live_server import serving


class DocumentClient:
    """Calls operations by ``operationId``; everything else comes from the document."""

    def __init__(self, base: str, token: str | None = None, document: dict[str, Any] | None = None):
        self.base, self.token = base, token
        if document is None:
            with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=30) as r:
                document = json.load(r)
        self.document = document
        self.operations = {
            op["operationId"]: (method.upper(), path, op)
            for path, item in document["paths"].items()
            for method, op in item.items()
        }

    def as_user(self, token: str) -> DocumentClient:
        return DocumentClient(self.base, token, self.document)

    def _check(self, schema: dict[str, Any], value: Any, what: str) -> None:
        # The document's $refs point into its own components: validate with those beside the schema.
        root = {"allOf": [schema], "components": self.document["components"]}
        errors = [e.message for e in jsonschema_rs.validator_for(root, validate_formats=True).iter_errors(value)]
        assert not errors, f"{what} does not match the document: {errors}"

    def call(self, operation_id: str, body: Any = None, **params: Any) -> tuple[int, Any]:
        method, path, op = self.operations[operation_id]
        query = {}
        for p in op.get("parameters", []):
            name, where = p["name"], p["in"]
            if name not in params:
                assert not p.get("required"), f"{operation_id} needs the parameter {name}"
                continue
            value = params.pop(name)
            if where == "path":
                path = path.replace("{" + name + "}", quote(str(value), safe=""))
            elif where == "query":
                query[name] = value
        assert not params, f"{operation_id} has no parameters {sorted(params)}"
        headers = {"Accept": "application/json"}
        if self.token:
            assert op.get("security", self.document.get("security")), f"{operation_id} takes no token"
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            content = op["requestBody"]["content"]
            assert "application/json" in content, f"{operation_id} takes no JSON body"
            self._check(content["application/json"]["schema"], body, f"the body for {operation_id}")
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        url = self.base + path + (f"?{urlencode(query)}" if query else "")
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                status, payload = r.status, json.load(r)
        except urllib.error.HTTPError as error:
            status, payload = error.code, json.load(error)
        declared = op["responses"].get(str(status))
        assert declared, f"{operation_id} answered {status}, which its document does not declare"
        self._check(declared["content"]["application/json"]["schema"], payload, f"{operation_id}'s {status}")
        return status, payload

    def schema_of(self, operation_id: str, status: int = 200) -> dict[str, Any]:
        """The declared response schema, with its $ref followed (to read field descriptions)."""
        schema = self.operations[operation_id][2]["responses"][str(status)]["content"]["application/json"]
        return self._resolve(schema["schema"])

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        return schema


def answer(schema: dict[str, Any]) -> Any:
    """A plain value that the JSON Schema of a form field allows (the lowest one it takes)."""
    if "enum" in schema:
        return schema["enum"][0]
    match schema.get("type"):
        case "boolean":
            return True
        case "integer":
            return max(schema.get("minimum", 1), min(schema.get("maximum", 1), 1))
        case "string" if schema.get("format") == "date":
            return date.today().isoformat()
        case "string":
            return "王" * max(schema.get("minLength", 1), 1)
        case "array":
            return None  # evidence needs an upload first; a form that requires one is not in this test
    raise AssertionError(f"a form field schema this client cannot answer: {schema}")


def form_data(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The answers to a form as the document says: every field not read-only, required ones always."""
    data = {}
    for field in fields:
        if field["readonly"] or field["schema"].get("readOnly"):
            continue
        value = answer(field["schema"])
        assert value is not None or not field["required"], f"cannot answer required field {field['id']}"
        if value is not None:
            data[field["id"]] = value
    return data


@pytest.fixture
def school(db_url: str):
    """Two procedures, four people, and a token each made with ``schoolflow tokens create``."""
    runner = CliRunner()

    def sf(*args: str) -> str:
        result = runner.invoke(cli, ["--db", db_url, *args])
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result.stdout

    sf("deploy", str(DATA / "form.bpmn"), str(DATA / "start_form.bpmn"))
    for name, group in [("hana", "hotline"), ("rita", "reception"), ("rob", "reception"), ("ivan", "it")]:
        sf("users", "add", name, "--groups", group)
    tokens = {name: sf("tokens", "create", name).splitlines()[-1] for name in ("hana", "rita", "rob", "ivan")}
    with serving(db_url) as base:
        yield DocumentClient(base), tokens


def test_a_client_reading_only_the_document_starts_finds_and_completes(school):
    anonymous, tokens = school
    hana, rob, ivan = (anonymous.as_user(tokens[n]) for n in ("hana", "rob", "ivan"))

    # What a procedure's start form asks for is in the definitions list.
    status, procedures = hana.call("listDefinitions")
    assert status == 200
    intake = next(p for p in procedures if p["key"] == "intake")
    assert {f["id"]: f["required"] for f in intake["start_form"]} == {
        "complainant": True, "urgent": False, "people": False}
    assert hana.call("startCase", {"data": {}}, key="intake")[0] == 422  # its required field is missing
    status, case = hana.call("startCase", {"data": form_data(intake["start_form"])}, key="intake")
    assert status == 201 and case["case_number"]

    # The task waits for the reception group: Rob finds it by the case number, Ivan (IT) does not.
    status, page = rob.call("listTasks", case_number=case["case_number"])
    [task] = page["items"]
    assert (status, task["name"], task["instance_id"]) == (200, "Review complaint", case["id"])
    assert ivan.call("listTasks", case_number=case["case_number"])[1]["items"] == []
    assert ivan.call("completeTask", {"data": {}}, task_id=task["id"])[0] == 404

    assert rob.call("completeTask", {"data": form_data(task["form"])}, task_id=task["id"])[0] == 200
    status, shown = rob.call("showCase", instance_id=case["id"])
    assert (status, shown["status"], shown["open_tasks"]) == (200, "completed", [])
    assert [(e["kind"], e["actor"]) for e in shown["history"]][1:] == [
        ("task.completed", "rob"), ("instance.completed", None)]


def test_the_form_schema_in_the_document_is_the_rule_the_server_applies(school):
    anonymous, tokens = school
    rita, rob = anonymous.as_user(tokens["rita"]), anonymous.as_user(tokens["rob"])
    # What form_data() relies on is declared: a listed task has a form, each field its schema and flags.
    listed = rob._resolve(rob.schema_of("listTasks")["properties"]["items"]["items"])
    field = rob._resolve(listed["properties"]["form"]["items"])
    assert {"id", "required", "readonly", "schema"} <= set(field["required"])
    assert "JSON Schema" in field["properties"]["schema"]["description"]

    status, case = rita.call("startCase", {"data": {}}, key="visit")
    assert status == 201
    [task] = rob.call("listTasks", case_number=case["case_number"])[1]["items"]
    fields = {f["id"]: f for f in task["form"]}
    assert fields["party_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 30}
    assert fields["purpose"]["schema"] == {"type": "string", "enum": ["parent_meeting", "delivery"]}
    assert fields["office_note"]["readonly"] and fields["office_note"]["value"] == "set by the office"

    # Outside what a field's schema allows, the server refuses that field.
    too_many = {**form_data(task["form"]), "party_size": fields["party_size"]["schema"]["maximum"] + 1}
    status, refused = rob.call("completeTask", {"data": too_many}, task_id=task["id"])
    assert (status, set(refused["fields"])) == (422, {"party_size"})

    data = form_data(task["form"])
    assert set(data) == {"visitor", "party_size", "has_car", "visit_date", "purpose"}
    status, done = rob.call("completeTask", {"data": data}, task_id=task["id"])
    assert (status, done["instance_status"]) == (200, "running")
    status, shown = rita.call("showCase", instance_id=case["id"])
    assert [t["name"] for t in shown["open_tasks"]] == ["Check visit"]

"""``/api/docs``: the OpenAPI document as a page, drawn on the server (no script, nothing fetched)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from .routes import spec

bp = Blueprint("api_docs", __name__)
METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/api/docs")
def docs() -> str:
    doc = spec.spec
    operations = [
        _operation(path, method, op, doc)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]
    return render_template("api/docs.html", doc=doc, operations=operations)


def _operation(path: str, method: str, op: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    body = op.get("requestBody", {}).get("content", {})
    return {
        "method": method.upper(),
        "path": path,
        "summary": op.get("summary") or "",
        "description": op.get("description") or "",
        "tags": op.get("tags", []),
        "parameters": [
            {
                "name": p["name"],
                "in": p["in"],
                "required": p.get("required", False),
                "schema": _type(p.get("schema", {})),
            }
            for p in op.get("parameters", [])
        ],
        "body": [{"media": media, "schema": _type(c.get("schema", {}))} for media, c in body.items()],
        "responses": [
            {
                "status": code,
                "description": r.get("description", ""),
                "schema": _type(next(iter(r.get("content", {}).values()), {}).get("schema", {})),
            }
            for code, r in sorted(op.get("responses", {}).items())
        ],
        "public": op.get("security") == [],
    }


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1].split(".")[0]
    if schema.get("type") == "array":
        return f"[{_type(schema.get('items', {}))}]"
    if "anyOf" in schema:
        return " | ".join(_type(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    return str(schema.get("type", ""))

"""Procedure files: parse, validate, deploy and version them; their forms, parameters, schedules and evaluators.
May use: ``engine.people``, ``engine.scripting``, ``engine.cases``, ``engine.time``, ``engine.spiff``, ``engine.storage``.


A file is refused as a whole, with every reason, before anything is stored; a refused upload leaves the
active version active. Each executable process in a file is a definition keyed by its BPMN process id;
new content makes a new version, identical content is a no-op.
"""
from engine.definitions.deploy import DeployResult, deploy_file, deploy_path, latest_definition, list_definitions
from engine.definitions.public import PUBLIC_FIELDS, declared_public_fields, public_fields
from engine.definitions.validate import ParsedFile, parse_procedure

__all__ = [
    "PUBLIC_FIELDS",
    "DeployResult",
    "ParsedFile",
    "declared_public_fields",
    "deploy_file",
    "deploy_path",
    "latest_definition",
    "list_definitions",
    "parse_procedure",
    "public_fields",
]

"""docs/processes.md maps each item of PROCEDURES.md to rows of the files' clause tables; every row the
index names exists, and every element id those rows name exists in its file."""
from __future__ import annotations

from lxml import etree

from tests.processes.conftest import PROCESSES
from tools.process_specs import all_definitions
from tools.process_specs.clause_index import INDEX


def test_every_row_the_index_names_exists_and_its_elements_are_in_the_file():
    defs = {d.file: d for d in all_definitions()}
    problems = []
    for item, _, where in INDEX:
        if isinstance(where, str):
            assert where.strip(), item
            continue
        for file, clause in where:
            rows = {c[0]: c[2] for c in defs[file].clauses}
            if clause not in rows:
                problems.append(f"{item}: {file} has no clause row {clause!r}")
                continue
            ids = rows[clause]
            if isinstance(ids, str):
                continue
            tree = etree.parse(str(PROCESSES / file))
            for element in ids:
                if not tree.xpath("//*[@id=$i]", i=element):
                    problems.append(f"{item}: {file} has no element {element!r}")
    assert not problems, "\n".join(problems)

"""The activation and migration pages (issue #13, points 4 and 5): administrators only; the engine's
checks hold even for a form posted directly; a refused value keeps what was typed; a dry run changes
nothing; a case that cannot move stays on its version."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from engine import definitions
from engine.storage.models import AuditEvent, Definition, Instance, ProcessParam
from tests.engine.test_migration import V1, V2, V4
from tests.webui.conftest import page_token, sign_in

ACTIVATE = "/procedures/fix/2/activate"
MIGRATE = "/procedures/fix/migrate"


def text(response) -> str:
    return response.get_data(as_text=True)


def with_param(xml: bytes, name: str, value: str) -> bytes:
    """``xml`` with the process property ``param.NAME`` declared (default ``value``)."""
    props = ("<bpmn:extensionElements><camunda:properties>"
             f'<camunda:property name="param.{name}" value="{value}"/>'
             "</camunda:properties></bpmn:extensionElements>")
    return xml.replace(b'isExecutable="true">', b'isExecutable="true">' + props.encode(), 1)


def stage(harness, data: bytes) -> int:
    with harness.Session.begin() as s:
        [result] = definitions.deploy_file(s, data, "fix.bpmn", clock=harness.clock, actor="root", stage=True)
    return result.version


@pytest.fixture
def fix(harness, staff):
    """``fix`` v1 active with one open case; v2 (adds a review by 'heads', nobody in it yet) staged."""
    staff("root", admin=True)
    staff("ann", "office")
    harness.deploy_bytes(V1, "fix.bpmn")
    case = harness.start("fix", "ann")
    stage(harness, with_param(V2, "reply_days", "7"))
    return case


def post(client, path, **form):
    return client.post(path, data={"csrf_token": page_token(client, path), **form})


def active_version(harness) -> int:
    with harness.Session() as s:
        return s.scalar(sa.select(sa.func.max(Definition.version)).where(Definition.process_key == "fix",
                                                                         Definition.staged.is_(False)))


def test_staff_get_404_on_both_pages_even_posting_with_a_valid_token(client, harness, fix):
    harness.user("hal", "heads")  # nothing blocks v2: only who asks stops it
    sign_in(client, "ann")
    assert client.get(ACTIVATE).status_code == 404
    assert client.get(MIGRATE).status_code == 404
    token = page_token(client, "/tasks/")
    assert client.post(ACTIVATE, data={"csrf_token": token, "action": "activate"}).status_code == 404
    assert client.post(MIGRATE, data={"csrf_token": token, "action": "move", "from": "1", "to": "2",
                                      "case": case_number(harness, fix)}).status_code == 404
    assert active_version(harness) == 1


def test_the_page_shows_the_blocker_and_the_activate_button_is_disabled(client, fix):
    sign_in(client, "root")
    page = text(client.get(ACTIVATE, headers={"Accept-Language": "zh-CN"}))
    assert "群组“heads”" in page and "没有成员" in page
    assert re.search(r'<button type="submit" data-testid="activate" disabled', page)
    assert "新增步骤" in page and "review" in page  # the change against v1, from the engine's comparison
    assert '"review": "added"' in page or "&#34;review&#34;: &#34;added&#34;" in page  # marks for the diagram


def test_activation_posted_directly_while_blocked_is_refused_and_nothing_changes(client, harness, fix):
    sign_in(client, "root")
    response = post(client, ACTIVATE, action="activate")
    assert response.status_code == 409
    assert "heads" in text(response)
    assert active_version(harness) == 1
    harness.user("hal", "heads")
    response = post(client, ACTIVATE, action="activate")
    assert response.status_code == 302
    assert active_version(harness) == 2
    done = text(client.get(response.headers["Location"]))
    assert "1" in done and "/procedures/fix/migrate?from=1" in done.replace("&amp;", "&")
    with harness.Session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                        .where(AuditEvent.kind == "definition.activated")) == 1


def test_mapping_a_lane_needs_an_existing_group_and_is_kept(client, harness, staff):
    staff("root", admin=True)
    harness.user("ann", "office")
    xml = V1.replace(b'camunda:candidateGroups="office"', b"")
    xml = xml.replace(b'<bpmn:startEvent id="start"/>',
                      b'<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="Clerks">'
                      b"<bpmn:flowNodeRef>work</bpmn:flowNodeRef>"
                      b'</bpmn:lane></bpmn:laneSet><bpmn:startEvent id="start"/>')
    stage(harness, xml)
    sign_in(client, "root")
    path = "/procedures/fix/1/activate"
    assert "Clerks" in text(client.get(path))
    page = text(client.get(path))
    assert '<option value="" selected>' in page  # no group is named Clerks: none is preselected
    unchosen = post(client, path, action="map_lane", lane="Clerks", group="")
    assert unchosen.status_code == 422 and "请选择群组" in text(unchosen)
    refused = post(client, path, action="map_lane", lane="Clerks", group="nobody-such")
    assert refused.status_code == 422 and "nobody-such" in text(refused)
    assert post(client, path, action="map_lane", lane="Clerks", group="office").status_code == 302
    page = text(client.get(path))
    assert 'data-testid="ready"' in page and "disabled" not in page.split('data-testid="activate"')[1][:20]


def test_a_refused_parameter_keeps_what_was_typed_and_saves_nothing(client, harness, fix):
    sign_in(client, "root")
    response = post(client, ACTIVATE, action="params", **{"param-reply_days": "seven"})
    assert response.status_code == 422
    page = text(response)
    assert 'value="seven"' in page and 'id="param-reply_days-error"' in page
    assert re.search(r'id="param-reply_days-error">[^<]*seven', page)
    with harness.Session() as s:
        assert s.scalars(sa.select(ProcessParam)).all() == []
    assert post(client, ACTIVATE, action="params", **{"param-reply_days": "5"}).status_code == 302
    assert 'value="5"' in text(client.get(ACTIVATE))


def test_unknown_or_active_versions_are_not_offered_for_activation(client, fix):
    sign_in(client, "root")
    assert client.get("/procedures/fix/9/activate").status_code == 404
    assert client.get("/procedures/nosuch/1/activate").status_code == 404
    page = text(client.get("/procedures/fix/1/activate"))
    assert "这是当前启用的版本" in page
    assert 'data-testid="activate"' not in page


def case_number(harness, instance_id: int) -> str:
    return harness.show(instance_id)["case_number"]


def versions_of(harness, *ids: int) -> list[int]:
    return [harness.show(i)["version"] for i in ids]


def test_a_dry_run_changes_nothing_and_the_move_moves_what_can(client, harness, fix):
    harness.user("hal", "heads")
    with harness.Session.begin() as s:
        from engine.definitions import activation
        activation.activate(s, "fix", 2, clock=harness.clock, actor="root")
    number = case_number(harness, fix)
    sign_in(client, "root")
    page = text(client.get(MIGRATE))
    assert number in page and 'name="from" value="1"' in page and 'name="to" value="2"' in page
    with harness.Session() as s:
        before = s.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    dry = post(client, MIGRATE, action="dry_run", case=number, **{"from": "1", "to": "2"})
    assert dry.status_code == 200 and 'data-testid="dry-run-done"' in text(dry)
    assert versions_of(harness, fix) == [1]
    with harness.Session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before
    moved = post(client, MIGRATE, action="move", case=number, **{"from": "1", "to": "2"})
    assert f'href="/cases/{number}"' in text(moved) and 'data-testid="moved"' in text(moved)
    assert versions_of(harness, fix) == [2]


def test_a_case_that_cannot_move_stays_on_its_version_with_the_reason(client, harness, staff):
    staff("root", admin=True)
    staff("ann", "office")
    harness.deploy_bytes(V1, "fix.bpmn")
    waiting = harness.start("fix", "ann")  # waits on 'work'
    harness.deploy_bytes(V4.replace(b'id="work" name="Do the work"', b'id="work2" name="Do the work"')
                         .replace(b"_work", b"_work2").replace(b'"work"', b'"work2"'), "fix.bpmn")
    number = case_number(harness, waiting)
    sign_in(client, "root")
    dry = text(post(client, MIGRATE, action="dry_run", case=number, **{"from": "1", "to": "2"}))
    assert "work" in dry and 'class="sf-cannot"' in dry
    moved = text(post(client, MIGRATE, action="move", case=number, **{"from": "1", "to": "2"}))
    assert 'data-testid="stayed"' in moved and 'data-testid="moved"' not in moved
    assert versions_of(harness, waiting) == [1]
    with harness.Session() as s:
        assert s.get(Instance, waiting).definition.version == 1


def test_a_removed_step_is_drawn_on_the_active_versions_diagram(client, harness, staff):
    staff("root", admin=True)
    harness.user("ann", "office")
    harness.user("hal", "heads")
    harness.deploy_bytes(V2, "fix.bpmn")
    stage(harness, V1)  # the review step removed again
    sign_in(client, "root")
    page = text(client.get(ACTIVATE))
    assert "删除步骤 “Review”（review）" in page
    old = page.split('data-testid="old-diagram"')[0].rsplit("<div", 1)[1]
    assert "/procedures/fix/1/activate/diagram.bpmn" in old and "review" in old and "removed" in old
    assert client.get("/procedures/fix/1/activate/diagram.bpmn").data.startswith(b"<?xml")

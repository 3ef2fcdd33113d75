"""A compact way to describe a procedure, and the BPMN 2.0 file (with a full BPMNDI diagram) made from it.

The shipped files under ``processes/`` are generated from the descriptions in ``tools/process_specs`` by
``python -m tools.build_processes``; they stay ordinary BPMN that an administrator can open and edit in
Camunda Modeler or bpmn.io.

Layout is by construction: every pool is a stack of lanes, every lane a stack of rows; a node sits in
one (column, row) cell, centred. Sequence flows are orthogonal: forward flows turn in the gap between
columns, backward flows (loops) run in the margin of a row, each in its own track. ``check_layout``
reports any shape, label or line that still collides, so a description that draws badly fails loudly.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
MODELER = "http://camunda.org/schema/modeler/1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "camunda": CAMUNDA, "modeler": MODELER,
         "xsi": XSI}

# Geometry (pixels). A cell is COL_W wide and ROW_H high; shapes are centred in their cell.
POOL_X, POOL_Y, POOL_GAP = 160, 80, 60
POOL_HEADER, LANE_HEADER = 30, 30
COL_W, ROW_H = 180, 170
FIRST_COL = POOL_X + POOL_HEADER + LANE_HEADER + 70  # centre x of column 0
RIGHT_MARGIN = 90
SIZES = {"task": (100, 80), "gateway": (50, 50), "event": (36, 36)}
TRACK = 9  # distance between parallel loop tracks in a row margin
CHAR_W, ASCII_W, LABEL_H = 12, 7, 14


def text_width(text: str) -> int:
    return sum(CHAR_W if ord(c) > 0x2E80 else ASCII_W for c in text) + 4


@dataclass
class Field:
    id: str
    label: str
    type: str = "string"
    required: bool = False
    values: list[tuple[str, str]] = field(default_factory=list)
    constraints: dict[str, Any] = field(default_factory=dict)
    default: str | None = None
    properties: dict[str, str] = field(default_factory=dict)  # camunda:property of the field (withTime)


def F(id: str, label: str, type: str = "string", required: bool = False,  # noqa: A002, N802
      values: list[tuple[str, str]] | None = None, default: str | None = None,
      properties: dict[str, str] | None = None, **constraints: Any) -> Field:
    """A form field; ``constraints`` are minlength, maxlength, min, max, readonly=True."""
    return Field(id, label, type, required, values or [], constraints, default, properties or {})


@dataclass
class Node:
    id: str
    kind: str  # startEvent endEvent userTask exclusiveGateway parallelGateway intermediateCatchEvent
    name: str | None
    lane: str
    col: float
    row: int = 0
    form: list[Field] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)  # camunda:assignee, dueDate, priority, ...
    doc: str | None = None
    timer: tuple[str, str] | None = None  # (timeDate|timeDuration|timeCycle, expression)
    default: str | None = None  # default flow id of a gateway
    label_pos: str = "top"  # gateways: top | bottom; events: bottom | top
    properties: dict[str, str] = field(default_factory=dict)  # camunda:property (a start's workingDay)
    props: dict[str, str] = field(default_factory=dict)  # task-level camunda:properties (excludeUsers)

    @property
    def shape(self) -> str:
        if self.kind.endswith("Gateway"):
            return "gateway"
        if self.kind.endswith("Event"):
            return "event"
        return "task"


@dataclass
class Boundary:
    id: str
    name: str
    attached: str
    timer: tuple[str, str]
    interrupting: bool = False


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None
    # backward flows: "below" (default) or "above" the rows; a forward flow within a row with ``via``
    # runs in that margin too, round the shapes in between (a branch skipping the row's tasks)
    via: str | None = None
    turn: str | None = None  # forward flows between rows: "early" (after the source) or "late"
    label_at: tuple[float, float] | None = None  # explicit label offset from the first waypoint
    label_last: bool = False  # label the last segment (near the target) instead of the first


@dataclass
class Process:
    id: str
    name: str
    lanes: list[tuple[str, str]]  # (lane id, lane name = role = group)
    properties: dict[str, str] = field(default_factory=dict)
    doc: str | None = None
    nodes: dict[str, Node] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    boundaries: list[Boundary] = field(default_factory=list)
    start_form: list[Field] = field(default_factory=list)

    # -- description helpers --------------------------------------------------------------------
    def _add(self, node: Node) -> Node:
        assert node.id not in self.nodes, node.id
        assert node.lane in dict(self.lanes), f"{node.id}: unknown lane {node.lane}"
        self.nodes[node.id] = node
        return node

    def start(self, id: str, name: str, lane: str, col: float = 0, row: int = 0,  # noqa: A002
              form: list[Field] | None = None, timer: tuple[str, str] | None = None, **kw: Any) -> Node:
        n = self._add(Node(id, "startEvent", name, lane, col, row, timer=timer, label_pos="bottom", **kw))
        self.start_form = form or []
        return n

    def end(self, id: str, name: str, lane: str, col: float, row: int = 0, **kw: Any) -> Node:  # noqa: A002
        return self._add(Node(id, "endEvent", name, lane, col, row, label_pos=kw.pop("label_pos", "bottom"),
                              **kw))

    def task(self, id: str, name: str, lane: str, col: float, row: int = 0,  # noqa: A002
             form: list[Field] | None = None, doc: str | None = None, props: dict[str, str] | None = None,
             **attrs: str) -> Node:
        return self._add(Node(id, "userTask", name, lane, col, row, form=form or [], doc=doc,
                              attrs={k: v for k, v in attrs.items() if v is not None}, props=props or {}))

    def xor(self, id: str, name: str | None, lane: str, col: float, row: int = 0,  # noqa: A002
            label_pos: str = "top") -> Node:
        return self._add(Node(id, "exclusiveGateway", name, lane, col, row, label_pos=label_pos))

    def timer_catch(self, id: str, name: str, lane: str, col: float, row: int = 0,  # noqa: A002
                    timer: tuple[str, str] = ("timeDuration", "P1D")) -> Node:
        return self._add(Node(id, "intermediateCatchEvent", name, lane, col, row, timer=timer,
                              label_pos="bottom"))

    def flow(self, source: str, target: str, name: str | None = None, cond: str | None = None,
             default: bool = False, id: str | None = None, **kw: Any) -> Flow:  # noqa: A002
        f = Flow(id or f"f_{source}_{target}", source, target, name, cond, **kw)
        self.flows.append(f)
        if default:
            self.nodes[source].default = f.id
        return f

    def chain(self, *ids: str) -> None:
        for a, b in zip(ids, ids[1:], strict=False):
            self.flow(a, b)

    def boundary(self, id: str, name: str, attached: str, timer: tuple[str, str],  # noqa: A002
                 interrupting: bool = False) -> Boundary:
        b = Boundary(id, name, attached, timer, interrupting)
        self.boundaries.append(b)
        return b


@dataclass
class Definitions:
    id: str
    file: str  # path under processes/
    name: str
    processes: list[Process]
    doc: str | None = None
    # (clause, text, element ids), or (clause, text, "engine: …") for a clause the engine implements
    clauses: list[tuple[str, str, list[str] | str]] = field(default_factory=list)


# -- layout -------------------------------------------------------------------------------------

@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, o: Box, pad: float = 0) -> bool:
        return (self.x < o.x + o.w + pad and o.x < self.x + self.w + pad
                and self.y < o.y + o.h + pad and o.y < self.y + self.h + pad)


@dataclass
class Layout:
    pools: dict[str, Box] = field(default_factory=dict)
    lanes: dict[str, Box] = field(default_factory=dict)
    shapes: dict[str, Box] = field(default_factory=dict)
    labels: dict[str, Box] = field(default_factory=dict)
    edges: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # element id -> shape kind, for rendering
    names: dict[str, str] = field(default_factory=dict)
    width: float = 0
    height: float = 0


class _Rows:
    """Global row bands of one pool: lane by lane, row by row."""

    def __init__(self, proc: Process, top: float):
        self.top: dict[tuple[str, int], float] = {}
        y = top
        self.lane_box: dict[str, tuple[float, float]] = {}
        for lane_id, _ in proc.lanes:
            rows = max([n.row for n in proc.nodes.values() if n.lane == lane_id], default=0) + 1
            self.lane_box[lane_id] = (y, rows * ROW_H)
            for r in range(rows):
                self.top[(lane_id, r)] = y + r * ROW_H
            y += rows * ROW_H
        self.bottom = y


def layout(defs: Definitions) -> Layout:
    out = Layout()
    y = POOL_Y
    max_col = max(n.col for p in defs.processes for n in p.nodes.values())
    pool_w = FIRST_COL + max_col * COL_W + SIZES["task"][0] / 2 + RIGHT_MARGIN - POOL_X
    for proc in defs.processes:
        rows = _Rows(proc, y)
        out.pools[f"pool_{proc.id}"] = Box(POOL_X, y, pool_w, rows.bottom - y)
        out.names[f"pool_{proc.id}"] = proc.name
        for lane_id, lane_name in proc.lanes:
            ly, lh = rows.lane_box[lane_id]
            out.lanes[lane_id] = Box(POOL_X + POOL_HEADER, ly, pool_w - POOL_HEADER, lh)
            out.names[lane_id] = lane_name
        for n in proc.nodes.values():
            w, h = SIZES[n.shape]
            cx = FIRST_COL + n.col * COL_W
            cy = rows.top[(n.lane, n.row)] + ROW_H / 2
            out.shapes[n.id] = Box(cx - w / 2, cy - h / 2, w, h)
            out.kinds[n.id] = n.kind
            out.names[n.id] = n.name or ""
        for b in proc.boundaries:
            t = out.shapes[b.attached]
            w, h = SIZES["event"]
            out.shapes[b.id] = Box(t.x + t.w - 22 - w / 2, t.y + t.h - h / 2, w, h)
            out.kinds[b.id] = "boundaryEvent" + ("" if b.interrupting else ":non")
            out.names[b.id] = b.name
        tracks: dict[tuple[float, str], list[tuple[float, float, int]]] = {}
        for f in proc.flows:
            out.edges[f.id] = _route(f, proc, out, rows, tracks)
            out.names[f.id] = f.name or ""
        for n in proc.nodes.values():
            if n.name and n.shape != "task":
                if n.shape == "gateway":
                    n.label_pos = _free_side(n, out, proc)
                out.labels[n.id] = _node_label(n, out.shapes[n.id])
        for b in proc.boundaries:
            s = out.shapes[b.id]
            w = text_width(b.name)
            out.labels[b.id] = Box(s.x + s.w + 3, s.y + s.h - 10, w, LABEL_H)
        for f in proc.flows:
            if f.name:
                out.labels[f.id] = _flow_label(f, out.edges[f.id])
        y = rows.bottom + POOL_GAP
    out.width = POOL_X + pool_w + POOL_X
    out.height = y - POOL_GAP + POOL_Y
    return out


def _free_side(n: Node, out: Layout, proc: Process) -> str:
    """Top, bottom or upper left of a gateway: the first side no flow touches."""
    s = out.shapes[n.id]
    used = set()
    for f in proc.flows:
        if n.id in (f.source, f.target):
            pts = out.edges[f.id]
            for x, y in (pts[0], pts[-1]):
                if abs(x - s.cx) < 1 and abs(y - s.y) < 1:
                    used.add("top")
                if abs(x - s.cx) < 1 and abs(y - s.y - s.h) < 1:
                    used.add("bottom")
    for side in (n.label_pos, "top", "bottom"):
        if side not in used:
            return side
    return "left"


def _node_label(n: Node, s: Box) -> Box:
    w = text_width(n.name or "")
    if n.label_pos == "bottom":
        return Box(s.cx - w / 2, s.y + s.h + 5, w, LABEL_H)
    if n.label_pos == "right":
        return Box(s.x + s.w + 6, s.y - LABEL_H, w, LABEL_H)
    if n.label_pos == "left":
        return Box(s.x - w - 2, s.y - LABEL_H + 2, w, LABEL_H)
    return Box(s.cx - w / 2, s.y - LABEL_H - 6, w, LABEL_H)


def _flow_label(f: Flow, pts: list[tuple[float, float]]) -> Box:
    w = text_width(f.name or "")
    (x1, y1), (x2, y2) = pts[0], pts[1]
    if f.label_at is not None:
        return Box(x1 + f.label_at[0], y1 + f.label_at[1], w, LABEL_H)
    if f.label_last:
        (x1, y1), (x2, y2) = pts[-2], pts[-1]
    if y1 == y2:  # horizontal first segment: above the line, after the source
        x = x1 + 6 if x2 > x1 else x1 - 6 - w
        return Box(x, y1 - LABEL_H - 3, w, LABEL_H)
    # vertical first segment: to the right of the line, near the source
    y = y1 + 4 if y2 > y1 else y1 - 4 - LABEL_H
    return Box(x1 + 5, y, w, LABEL_H)


def _side(b: Box, side: str) -> tuple[float, float]:
    return {"l": (b.x, b.cy), "r": (b.x + b.w, b.cy), "t": (b.cx, b.y), "b": (b.cx, b.y + b.h)}[side]


def _route(f: Flow, proc: Process, out: Layout, rows: _Rows, tracks: dict) -> list[tuple[float, float]]:
    s, t = out.shapes[f.source], out.shapes[f.target]
    src = proc.nodes.get(f.source)
    if src is None:  # from a boundary event: down, then along the target's row
        bx, by = s.cx, s.y + s.h
        if t.cy > by and t.x <= bx <= t.x + t.w:
            return [(bx, by), (bx, t.y)]
        return [(bx, by), (bx, t.cy), (t.x if t.cx > bx else t.x + t.w, t.cy)]
    if abs(s.cy - t.cy) < 1 and t.cx > s.cx and f.via is None:
        return [_side(s, "r"), _side(t, "l")]
    if abs(s.cx - t.cx) < 1:
        return [_side(s, "b"), _side(t, "t")] if t.cy > s.cy else [_side(s, "t"), _side(t, "b")]
    if t.cx > s.cx and abs(s.cy - t.cy) >= 1:  # forward, to another row
        down = t.cy > s.cy
        if src.shape != "gateway" and proc.nodes[f.target].shape == "gateway" and f.turn is None:
            return [_side(s, "r"), (t.cx, s.cy), _side(t, "t" if down else "b")]
        if src.shape == "gateway" and f.turn != "late":
            sx, sy = _side(s, "b" if down else "t")
            return [(sx, sy), (sx, t.cy), (t.x, t.cy)]
        cx = t.cx - COL_W / 2 if f.turn == "late" else s.cx + COL_W / 2
        return [_side(s, "r"), (cx, s.cy), (cx, t.cy), _side(t, "l")]
    # backward (or forward within a row, with ``via``): through a row margin, in a track of its own
    s_top, t_top = _row_of(rows, s), _row_of(rows, t)
    if abs(s.cy - t.cy) < 1:
        base, sign = (s_top + ROW_H, -1) if (f.via or "below") == "below" else (s_top, 1)
    elif t.cy < s.cy:  # going up: just under the target's row
        base, sign = t_top + ROW_H, 1
    else:  # going down: just above the target's row
        base, sign = t_top, -1
    lo, hi = sorted((s.cx, t.cx))
    taken = tracks.setdefault((base, sign), [])
    k = 0
    while any(kk == k and not (hi < a - 30 or lo > b + 30) for a, b, kk in taken):
        k += 1
    taken.append((lo, hi, k))
    ty = base + sign * (12 + k * TRACK)
    first = _side(s, "b") if ty > s.cy else _side(s, "t")
    last = _side(t, "b") if ty > t.cy else _side(t, "t")
    return [first, (s.cx, ty), (t.cx, ty), last]


def _row_of(rows: _Rows, b: Box) -> float:
    return max(top for top in rows.top.values() if top <= b.cy)


# -- checks -------------------------------------------------------------------------------------

def _segments(pts: list[tuple[float, float]]) -> list[Box]:
    out = []
    for (x1, y1), (x2, y2) in zip(pts, pts[1:], strict=False):
        out.append(Box(min(x1, x2), min(y1, y2), abs(x2 - x1) or 0.01, abs(y2 - y1) or 0.01))
    return out


def check_layout(defs: Definitions, lay: Layout) -> list[str]:
    """Everything in the drawing that collides: shapes, labels, and lines through shapes or labels."""
    problems = []
    element_ids = set(lay.shapes) | set(lay.edges) | set(lay.lanes) | set(lay.pools)
    for proc in defs.processes:
        for n in proc.nodes.values():
            for fld in n.form + (proc.start_form if n.kind == "startEvent" else []):
                if fld.id in element_ids:
                    problems.append(f"form field {fld.id} of {n.id} has the id of a diagram element")
    shapes = dict(lay.shapes)
    attached = {b.id: b.attached for p in defs.processes for b in p.boundaries}
    ids = sorted(shapes)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if attached.get(a) == b or attached.get(b) == a:
                continue
            if shapes[a].overlaps(shapes[b], pad=4):
                problems.append(f"shapes overlap: {a} / {b}")
    labels = lay.labels
    lids = sorted(labels)
    for i, a in enumerate(lids):
        for b in lids[i + 1:]:
            if labels[a].overlaps(labels[b], pad=1):
                problems.append(f"labels overlap: {a} / {b}")
        for s in ids:
            if labels[a].overlaps(shapes[s]):
                problems.append(f"label of {a} overlaps shape {s}")
    flows = {f.id: f for p in defs.processes for f in p.flows}
    for fid, pts in lay.edges.items():
        f = flows[fid]
        ends = {f.source, f.target, attached.get(f.source, "")}
        for seg in _segments(pts):
            for s in ids:
                if s in ends or attached.get(s) in ends and s == f.source:
                    continue
                if seg.overlaps(shapes[s], pad=-1):
                    problems.append(f"flow {fid} runs through {s}")
            for lid in lids:
                if lid == fid:
                    continue
                if seg.overlaps(labels[lid], pad=0):
                    problems.append(f"flow {fid} crosses the label of {lid}")
    segs = {fid: _segments(pts) for fid, pts in lay.edges.items()}
    fids = sorted(segs)
    for i, a in enumerate(fids):
        for b in fids[i + 1:]:
            if flows[a].source == flows[b].source or flows[a].target == flows[b].target:
                continue
            for sa in segs[a]:
                for sb in segs[b]:
                    same_dir = (sa.w < 1 and sb.w < 1) or (sa.h < 1 and sb.h < 1)
                    if same_dir and sa.overlaps(sb, pad=1):
                        problems.append(f"flows {a} and {b} run on top of each other")
    return problems


# -- XML ----------------------------------------------------------------------------------------

def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent: etree._Element, ns: str, tag: str, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _q(ns, tag))
    for k, v in attrs.items():
        if v is not None:
            el.set(k, v)
    return el


def _form(parent: etree._Element, fields: list[Field]) -> None:
    ext = parent.find(_q(BPMN, "extensionElements"))
    if ext is None:
        ext = _sub(parent, BPMN, "extensionElements")
    form = _sub(ext, CAMUNDA, "formData")
    for f in fields:
        el = _sub(form, CAMUNDA, "formField", id=f.id, label=f.label, type=f.type, defaultValue=f.default)
        if f.properties:
            props = _sub(el, CAMUNDA, "properties")
            for k, v in f.properties.items():
                _sub(props, CAMUNDA, "property", id=k, value=v)
        cons = ([("required", None)] if f.required else []) + [
            (k, None if v is True else str(v)) for k, v in f.constraints.items()]
        if cons:
            val = _sub(el, CAMUNDA, "validation")
            for name, config in cons:
                _sub(val, CAMUNDA, "constraint", name=name, config=config)
        for vid, vname in f.values:
            _sub(el, CAMUNDA, "value", id=vid, name=vname)


def _timer(parent: etree._Element, timer: tuple[str, str]) -> None:
    ted = _sub(parent, BPMN, "timerEventDefinition", id=f"{parent.get('id')}_def")
    el = _sub(ted, BPMN, timer[0])
    el.set(_q(XSI, "type"), "bpmn:tFormalExpression")
    el.text = timer[1]


def to_xml(defs: Definitions) -> bytes:
    lay = layout(defs)
    root = etree.Element(_q(BPMN, "definitions"), nsmap=NSMAP)
    root.set("id", f"{defs.id}_definitions")
    root.set("targetNamespace", "http://schoolflow.example/processes")
    root.set("exporter", "schoolflow tools.build_processes")
    root.set("exporterVersion", "1")
    root.set(_q(MODELER, "executionPlatform"), "Camunda Platform")
    root.set(_q(MODELER, "executionPlatformVersion"), "7.21.0")
    if defs.doc:
        _sub(root, BPMN, "documentation").text = defs.doc
    collab = _sub(root, BPMN, "collaboration", id=f"{defs.id}_collaboration")
    for proc in defs.processes:
        _sub(collab, BPMN, "participant", id=f"pool_{proc.id}", name=proc.name, processRef=proc.id)
    for proc in defs.processes:
        _process_xml(root, proc)
    _di(root, defs, lay)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _process_xml(root: etree._Element, proc: Process) -> None:
    p = _sub(root, BPMN, "process", id=proc.id, name=proc.name, isExecutable="true")
    p.set(_q(CAMUNDA, "historyTimeToLive"), "3650")
    if proc.doc:
        _sub(p, BPMN, "documentation").text = proc.doc
    if proc.properties:
        ext = _sub(p, BPMN, "extensionElements")
        props = _sub(ext, CAMUNDA, "properties")
        for k, v in proc.properties.items():
            _sub(props, CAMUNDA, "property", name=k, value=v)
    lane_set = _sub(p, BPMN, "laneSet", id=f"{proc.id}_lanes")
    for lane_id, lane_name in proc.lanes:
        lane = _sub(lane_set, BPMN, "lane", id=lane_id, name=lane_name)
        for n in proc.nodes.values():
            if n.lane == lane_id:
                _sub(lane, BPMN, "flowNodeRef").text = n.id
        for b in proc.boundaries:
            if proc.nodes[b.attached].lane == lane_id:
                _sub(lane, BPMN, "flowNodeRef").text = b.id
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for f in proc.flows:
        outgoing.setdefault(f.source, []).append(f.id)
        incoming.setdefault(f.target, []).append(f.id)
    for n in proc.nodes.values():
        el = _sub(p, BPMN, n.kind, id=n.id, name=n.name)
        if n.kind == "exclusiveGateway" and n.default:
            el.set("default", n.default)
        for k, v in n.attrs.items():
            el.set(_q(CAMUNDA, k), v)
        if n.doc:
            _sub(el, BPMN, "documentation").text = n.doc
        if n.props or n.properties:  # one extensionElements for both
            tprops = _sub(_sub(el, BPMN, "extensionElements"), CAMUNDA, "properties")
            for k, v in {**n.properties, **n.props}.items():
                _sub(tprops, CAMUNDA, "property", name=k, value=v)
        if n.form:
            _form(el, n.form)
        if n.kind == "startEvent" and proc.start_form:
            _form(el, proc.start_form)
        for fid in incoming.get(n.id, []):
            _sub(el, BPMN, "incoming").text = fid
        for fid in outgoing.get(n.id, []):
            _sub(el, BPMN, "outgoing").text = fid
        if n.timer:
            _timer(el, n.timer)
    for b in proc.boundaries:
        el = _sub(p, BPMN, "boundaryEvent", id=b.id, name=b.name, attachedToRef=b.attached,
                  cancelActivity="true" if b.interrupting else "false")
        for fid in outgoing.get(b.id, []):
            _sub(el, BPMN, "outgoing").text = fid
        _timer(el, b.timer)
    for f in proc.flows:
        el = _sub(p, BPMN, "sequenceFlow", id=f.id, name=f.name, sourceRef=f.source, targetRef=f.target)
        if f.condition:
            c = _sub(el, BPMN, "conditionExpression")
            c.set(_q(XSI, "type"), "bpmn:tFormalExpression")
            c.text = f.condition


def _bounds(parent: etree._Element, b: Box) -> None:
    _sub(parent, DC, "Bounds", x=_n(b.x), y=_n(b.y), width=_n(b.w), height=_n(b.h))


def _n(v: float) -> str:
    return str(int(round(v)))


def _di(root: etree._Element, defs: Definitions, lay: Layout) -> None:
    diagram = _sub(root, BPMNDI, "BPMNDiagram", id=f"{defs.id}_diagram")
    plane = _sub(diagram, BPMNDI, "BPMNPlane", id=f"{defs.id}_plane", bpmnElement=f"{defs.id}_collaboration")
    for pid, box in lay.pools.items():
        s = _sub(plane, BPMNDI, "BPMNShape", id=f"{pid}_di", bpmnElement=pid, isHorizontal="true")
        _bounds(s, box)
    for lid, box in lay.lanes.items():
        s = _sub(plane, BPMNDI, "BPMNShape", id=f"{lid}_di", bpmnElement=lid, isHorizontal="true")
        _bounds(s, box)
    for proc in defs.processes:
        for n in [*proc.nodes.values(), *proc.boundaries]:
            s = _sub(plane, BPMNDI, "BPMNShape", id=f"{n.id}_di", bpmnElement=n.id)
            if isinstance(n, Node) and n.kind == "exclusiveGateway":
                s.set("isMarkerVisible", "true")
            _bounds(s, lay.shapes[n.id])
            if n.id in lay.labels:
                _bounds(_sub(s, BPMNDI, "BPMNLabel"), lay.labels[n.id])
        for f in proc.flows:
            e = _sub(plane, BPMNDI, "BPMNEdge", id=f"{f.id}_di", bpmnElement=f.id)
            for x, y in lay.edges[f.id]:
                _sub(e, DI, "waypoint", x=_n(x), y=_n(y))
            if f.id in lay.labels:
                _bounds(_sub(e, BPMNDI, "BPMNLabel"), lay.labels[f.id])

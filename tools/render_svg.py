"""Draw a BPMN file's own diagram (its BPMNDI) as SVG: pools, lanes, tasks, gateways, events, flows, labels.

Reads only the file, so the picture in docs/ always shows what a modeler would show. Usage:
``python -m tools.render_svg processes/p2_parent_student_complaints.bpmn docs/img/p2.svg``.
"""
from __future__ import annotations

import sys
from html import escape
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN, "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
FONT = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif\""


def _bounds(el: etree._Element) -> tuple[float, float, float, float] | None:
    b = el.find("dc:Bounds", NS)
    if b is None:
        return None
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def _wrap(text: str, per_line: int) -> list[str]:
    lines, line, width = [], "", 0.0
    for ch in text:
        w = 1.0 if ord(ch) > 0x2E80 else 0.55
        if width + w > per_line and line:
            lines.append(line)
            line, width = "", 0.0
        line += ch
        width += w
    if line:
        lines.append(line)
    return lines


def render(data: bytes) -> str:
    root = etree.fromstring(data)
    elements = {el.get("id"): el for el in root.iter(f"{{{BPMN}}}*") if el.get("id")}
    parts: list[str] = []
    max_x = max_y = 0.0
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    shapes = plane.findall("bpmndi:BPMNShape", NS)
    edges = plane.findall("bpmndi:BPMNEdge", NS)
    order = {"participant": 0, "lane": 1}
    shapes.sort(key=lambda s: order.get(etree.QName(elements[s.get("bpmnElement")]).localname, 2))
    labels: list[str] = []
    for s in shapes:
        el = elements[s.get("bpmnElement")]
        kind = etree.QName(el).localname
        x, y, w, h = _bounds(s)
        max_x, max_y = max(max_x, x + w), max(max_y, y + h)
        name = el.get("name") or ""
        parts.append(_shape(kind, el, x, y, w, h, name))
        lb = s.find("bpmndi:BPMNLabel", NS)
        if lb is not None and name:
            lx, ly, lw, lh = _bounds(lb)
            labels.append(f'<text x="{lx + lw / 2:.0f}" y="{ly + lh - 3:.0f}" text-anchor="middle" '
                          f'font-size="12" {FONT}>{escape(name)}</text>')
    for e in edges:
        el = elements[e.get("bpmnElement")]
        pts = [(float(p.get("x")), float(p.get("y"))) for p in e.findall("di:waypoint", NS)]
        d = " ".join(f"{x:.0f},{y:.0f}" for x, y in pts)
        src = elements.get(el.get("sourceRef"))
        default = src is not None and src.get("default") == el.get("id")
        cond = el.find("bpmn:conditionExpression", NS) is not None
        parts.append(f'<polyline points="{d}" fill="none" stroke="#222" stroke-width="1.5" '
                     f'marker-end="url(#arrow)"/>')
        (x1, y1), (x2, y2) = pts[0], pts[1]
        if default:
            dx, dy = (x2 - x1), (y2 - y1)
            length = max(1.0, (dx * dx + dy * dy) ** 0.5)
            ux, uy = dx / length, dy / length
            mx, my = x1 + ux * 10, y1 + uy * 10
            parts.append(f'<line x1="{mx - uy * 5 - ux * 4:.0f}" y1="{my + ux * 5 - uy * 4:.0f}" '
                         f'x2="{mx + uy * 5 + ux * 4:.0f}" y2="{my - ux * 5 + uy * 4:.0f}" stroke="#222" '
                         'stroke-width="1.5"/>')
        elif cond and etree.QName(src).localname.endswith("Task"):
            parts.append(f'<circle cx="{x1:.0f}" cy="{y1:.0f}" r="4" fill="white" stroke="#222"/>')
        lb = e.find("bpmndi:BPMNLabel", NS)
        if lb is not None and el.get("name"):
            lx, ly, lw, lh = _bounds(lb)
            labels.append(f'<text x="{lx:.0f}" y="{ly + lh - 3:.0f}" font-size="12" {FONT}>'
                          f'{escape(el.get("name"))}</text>')
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{max_x + 40:.0f}" height="{max_y + 40:.0f}" '
            f'viewBox="0 0 {max_x + 40:.0f} {max_y + 40:.0f}">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
            'markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#222"/></marker></defs>'
            '<rect width="100%" height="100%" fill="white"/>')
    return head + "".join(parts) + "".join(labels) + "</svg>\n"


def _shape(kind: str, el: etree._Element, x: float, y: float, w: float, h: float, name: str) -> str:
    if kind == "participant":
        lines = "".join(f'<tspan x="0" dy="{14 if i else 0}">{escape(c)}</tspan>' for i, c in enumerate(name))
        return (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="white" stroke="#222" stroke-width="1.5"/>'
                f'<line x1="{x + 30}" y1="{y}" x2="{x + 30}" y2="{y + h}" stroke="#222"/>'
                f'<text transform="translate({x + 15},{y + h / 2 - 7 * len(name)}) " text-anchor="middle" '
                f'font-size="13" font-weight="bold" {FONT}>{_vertical(name)}</text>')
    if kind == "lane":
        return (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="#222"/>'
                f'<line x1="{x + 30}" y1="{y}" x2="{x + 30}" y2="{y + h}" stroke="#222"/>'
                f'<text transform="translate({x + 15},{y + h / 2 - 7 * len(name)})" text-anchor="middle" '
                f'font-size="12" {FONT}>{_vertical(name)}</text>')
    cx, cy = x + w / 2, y + h / 2
    if kind.endswith("Task"):
        lines = _wrap(name, 7)
        top = cy - (len(lines) - 1) * 8
        text = "".join(f'<text x="{cx:.0f}" y="{top + i * 16 + 4:.0f}" text-anchor="middle" font-size="12" '
                       f'{FONT}>{escape(t)}</text>' for i, t in enumerate(lines))
        icon = (f'<circle cx="{x + 14}" cy="{y + 12}" r="5" fill="none" stroke="#222"/>'
                f'<path d="M{x + 6},{y + 24} q8,-9 16,0" fill="none" stroke="#222"/>')
        return (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10" fill="white" stroke="#222" '
                f'stroke-width="2"/>{icon}{text}')
    if kind.endswith("Gateway"):
        pts = f"{cx},{y} {x + w},{cy} {cx},{y + h} {x},{cy}"
        mark = ""
        if kind == "exclusiveGateway":
            mark = (f'<path d="M{cx - 9},{cy - 9} L{cx + 9},{cy + 9} M{cx + 9},{cy - 9} L{cx - 9},{cy + 9}" '
                    'stroke="#222" stroke-width="3"/>')
        elif kind == "parallelGateway":
            mark = (f'<path d="M{cx},{cy - 12} L{cx},{cy + 12} M{cx - 12},{cy} L{cx + 12},{cy}" '
                    'stroke="#222" stroke-width="3"/>')
        return f'<polygon points="{pts}" fill="white" stroke="#222" stroke-width="2"/>{mark}'
    r = w / 2
    stroke = {"endEvent": 'stroke-width="4"', "startEvent": 'stroke-width="2"'}.get(kind, 'stroke-width="1.5"')
    dash = ' stroke-dasharray="5,3"' if kind == "boundaryEvent" and el.get("cancelActivity") == "false" else ""
    out = f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="white" stroke="#222" {stroke}{dash}/>'
    if kind in ("intermediateCatchEvent", "boundaryEvent"):
        out += f'<circle cx="{cx}" cy="{cy}" r="{r - 3}" fill="none" stroke="#222"{dash}/>'
    if el.find("bpmn:timerEventDefinition", NS) is not None:
        out += (f'<circle cx="{cx}" cy="{cy}" r="{r - 8}" fill="white" stroke="#222"/>'
                f'<path d="M{cx},{cy - r + 10} L{cx},{cy} L{cx + 6},{cy}" fill="none" stroke="#222"/>')
    return out


def _vertical(name: str) -> str:
    return "".join(f'<tspan x="0" dy="{14 if i else 0}">{escape(c)}</tspan>' for i, c in enumerate(name))


def main(argv: list[str]) -> None:
    src, dst = Path(argv[0]), Path(argv[1])
    dst.write_text(render(src.read_bytes()), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])

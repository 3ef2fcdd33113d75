// The case page's diagram: the case's BPMN file with the steps the server listed in data-sf-marks marked
// (done, waiting now, overdue). Drawing and its failure note: diagram_box.js.
import { drawDiagram } from './diagram_box.js';

const CLASSES = { done: 'sf-done', current: 'sf-current', overdue: 'sf-overdue' };

function mark(box, canvas, registry) {
  const marks = JSON.parse(box.dataset.sfMarks || '{}');
  for (const [kind, cls] of Object.entries(CLASSES)) {
    for (const id of marks[kind] || []) {
      // Marking is best effort: an element missing from the drawing never stops the others.
      try { canvas.addMarker(id, cls); } catch (e) { /* not drawn in this diagram */ }
    }
  }
  // On a phone the whole procedure is too small to read: show the step waiting now at a readable
  // size instead (drag or the arrow keys move around, once the diagram has the focus).
  const current = (marks.current || [])[0];
  const element = current && registry.get(current);
  if (element && box.clientWidth < 640 && canvas.zoom() < 0.6) {
    canvas.zoom(0.8);
    canvas.scrollToElement(element, { top: 80, bottom: 80, left: 60, right: 60 });
  }
}

document.querySelectorAll('[data-sf-viewer]').forEach(
  (box) => drawDiagram(box, (canvas, registry) => mark(box, canvas, registry)));

// The activation page's diagram: draw the staged version with the bpmn-js viewer and mark what changed
// against the active version (data-sf-marks: element id -> added / changed / removed, computed on the
// server by engine.definitions.compare). Each change in the list gets a button that brings its step
// into view. Drawing and its failure note: diagram_box.js.
import { drawDiagram } from './diagram_box.js';

const CLASSES = { added: 'sf-added', changed: 'sf-changed', removed: 'sf-removed' };
const READABLE = 0.8;

function showElement(canvas, element) {
  canvas.zoom(READABLE);
  const box = canvas.viewbox();
  canvas.viewbox({ x: element.x + element.width / 2 - box.width / 2, y: element.y + element.height / 2 - box.height / 2,
                   width: box.width, height: box.height });
}

function mark(box, canvas, registry) {
  const marks = JSON.parse(box.dataset.sfMarks || '{}');
  const drawn = [];
  for (const [id, kind] of Object.entries(marks)) {
    // Removed steps are drawn on the active version's diagram; a missing element never stops the others.
    const element = CLASSES[kind] && registry.get(id);
    if (!element) continue;
    canvas.addMarker(id, CLASSES[kind]);
    drawn.push(element);
  }
  // A whole procedure fitted into the box is too small to read: show the first change at a readable size
  // (drag, the mouse wheel or the buttons by the list move around).
  if (drawn.length && canvas.zoom() < 0.6) showElement(canvas, drawn[0]);
  // The buttons by the list of changes move the new version's diagram (the one with data-sf-buttons).
  const buttons = 'sfButtons' in box.dataset ? document.querySelectorAll('[data-sf-show]') : [];
  buttons.forEach((button) => {
    const element = registry.get(button.dataset.sfShow);
    if (!element) return;
    button.hidden = false;
    button.addEventListener('click', () => {
      showElement(canvas, element);
      box.scrollIntoView({ block: 'center' });
    });
  });
}

document.querySelectorAll('[data-sf-diff-viewer]').forEach(
  (box) => drawDiagram(box, (canvas, registry) => mark(box, canvas, registry)));

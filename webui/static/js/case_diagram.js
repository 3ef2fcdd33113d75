// The case page's diagram: fetch the case's BPMN file, draw it with the bpmn-js viewer and mark the
// steps the server listed in data-sf-marks (done, waiting now, overdue). No inline script: the CSP
// allows scripts from this site only, and the data comes in data-* attributes.
import { NavigatedViewer } from '../vendor/viewer.js';

const CLASSES = { done: 'sf-done', current: 'sf-current', overdue: 'sf-overdue' };

async function draw(box) {
  const error = box.parentElement.querySelector('[data-sf-diagram-error]');
  try {
    const response = await fetch(box.dataset.sfBpmnUrl, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`diagram ${response.status}`);
    const viewer = new NavigatedViewer({ container: box });
    await viewer.importXML(await response.text());
    const canvas = viewer.get('canvas');
    canvas.zoom('fit-viewport');
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
    const element = current && viewer.get('elementRegistry').get(current);
    if (element && box.clientWidth < 640 && canvas.zoom() < 0.6) {
      canvas.zoom(0.8);
      canvas.scrollToElement(element, { top: 80, bottom: 80, left: 60, right: 60 });
    }
    box.dataset.sfReady = 'true';
  } catch (e) {
    if (error) error.hidden = false;
    box.dataset.sfReady = 'error';
  }
}

document.querySelectorAll('[data-sf-viewer]').forEach(draw);

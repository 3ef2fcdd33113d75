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
    box.dataset.sfReady = 'true';
  } catch (e) {
    if (error) error.hidden = false;
    box.dataset.sfReady = 'error';
  }
}

document.querySelectorAll('[data-sf-viewer]').forEach(draw);

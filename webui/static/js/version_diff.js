// The activation page's diagram: draw the staged version with the bpmn-js viewer and mark what changed
// against the active version (data-sf-marks: element id -> added / changed / removed, computed on the
// server by engine.definitions.compare). Each change in the list gets a button that brings its step
// into view. No inline script: data comes in data-* attributes.
import { NavigatedViewer } from '../vendor/viewer.js';

const CLASSES = { added: 'sf-added', changed: 'sf-changed', removed: 'sf-removed' };
const READABLE = 0.8;

function showElement(canvas, element) {
  canvas.zoom(READABLE);
  const box = canvas.viewbox();
  canvas.viewbox({ x: element.x + element.width / 2 - box.width / 2, y: element.y + element.height / 2 - box.height / 2,
                   width: box.width, height: box.height });
}

async function draw(box) {
  const error = box.parentElement.querySelector('[data-sf-diagram-error]');
  try {
    const response = await fetch(box.dataset.sfBpmnUrl, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`diagram ${response.status}`);
    const viewer = new NavigatedViewer({ container: box });
    await viewer.importXML(await response.text());
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    canvas.zoom('fit-viewport');
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
    box.dataset.sfReady = 'true';
  } catch (e) {
    if (error) error.hidden = false;
    box.dataset.sfReady = 'error';
  }
}

document.querySelectorAll('[data-sf-diff-viewer]').forEach(draw);

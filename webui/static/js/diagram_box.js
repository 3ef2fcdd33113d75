// What every page's diagram does alike: take the BPMN file (its XML in data-sf-bpmn-xml, else fetched
// from data-sf-bpmn-url), draw it with the bpmn-js viewer fitted to the box, let the page mark it, and say
// in data-sf-ready whether it worked; when it did not, the page's data-sf-diagram-error note is shown.
// No inline script: the CSP allows scripts from this site only, and the data comes in data-* attributes.
import { NavigatedViewer } from '../vendor/viewer.js';

async function source(box) {
  if (box.dataset.sfBpmnXml !== undefined) return box.dataset.sfBpmnXml;
  const response = await fetch(box.dataset.sfBpmnUrl, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`diagram ${response.status}`);
  return response.text();
}

// mark(canvas, registry, viewer) marks the drawing; hideOnError hides the box itself when drawing fails.
export async function drawDiagram(box, mark, { hideOnError = false } = {}) {
  const error = box.parentElement.querySelector('[data-sf-diagram-error]');
  try {
    const xml = await source(box);
    const viewer = new NavigatedViewer({ container: box });
    await viewer.importXML(xml);
    const canvas = viewer.get('canvas');
    canvas.zoom('fit-viewport');
    mark(canvas, viewer.get('elementRegistry'), viewer);
    box.dataset.sfReady = 'true';
  } catch (e) {
    if (hideOnError) box.hidden = true;
    if (error) error.hidden = false;
    box.dataset.sfReady = 'error';
  }
}

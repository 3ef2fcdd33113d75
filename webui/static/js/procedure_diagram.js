// The procedures pages' diagrams: a stored version (fetched from data-sf-bpmn-url) or a refused upload
// (its XML in data-sf-bpmn-xml, the ids of the elements with problems in data-sf-problems, marked red).
// No inline script: the CSP allows scripts from this site only, and the data comes in data-* attributes.
import { NavigatedViewer } from '../vendor/viewer.js';

async function source(box) {
  if (box.dataset.sfBpmnXml !== undefined) return box.dataset.sfBpmnXml;
  const response = await fetch(box.dataset.sfBpmnUrl, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`diagram ${response.status}`);
  return response.text();
}

async function draw(box) {
  const error = box.parentElement.querySelector('[data-sf-diagram-error]');
  try {
    const viewer = new NavigatedViewer({ container: box });
    await viewer.importXML(await source(box));
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    canvas.zoom('fit-viewport');
    const marked = [];
    for (const id of JSON.parse(box.dataset.sfProblems || '[]')) {
      // An element the file names but does not draw (no shape in the diagram) is only listed, not marked.
      if (registry.get(id)) { canvas.addMarker(id, 'sf-problem'); marked.push(id); }
    }
    // The reasons' "show on the diagram" buttons, for the elements that are drawn.
    document.querySelectorAll('[data-sf-locate]').forEach((button) => {
      const element = registry.get(button.dataset.sfLocate);
      if (!element) return;
      button.hidden = false;
      button.addEventListener('click', () => {
        canvas.zoom(1);
        canvas.scrollToElement(element, { top: 120, bottom: 120, left: 120, right: 120 });
        box.scrollIntoView({ block: 'center' });
        box.focus();
      });
    });
    box.dataset.sfMarked = marked.join(' ');
    box.dataset.sfReady = 'true';
  } catch (e) {
    box.hidden = true;
    if (error) error.hidden = false;
    box.dataset.sfReady = 'error';
  }
}

// Copy a version's full content fingerprint (the table shows its first characters).
function copyButtons() {
  if (!navigator.clipboard) return; // not a secure context: the full value stays in the title
  document.querySelectorAll('[data-sf-copy]').forEach((button) => {
    button.hidden = false;
    button.addEventListener('click', async () => {
      await navigator.clipboard.writeText(button.dataset.sfCopy);
      const label = button.textContent;
      button.textContent = button.dataset.sfCopied;
      button.addEventListener('blur', () => { button.textContent = label; }, { once: true });
    });
  });
}

document.querySelectorAll('[data-sf-viewer]').forEach(draw);
copyButtons();

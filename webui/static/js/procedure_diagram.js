// The procedures pages' diagrams: a stored version (fetched from data-sf-bpmn-url) or a refused upload
// (its XML in data-sf-bpmn-xml, the ids of the elements with problems in data-sf-problems, marked red).
// Drawing and its failure note: diagram_box.js.
import { drawDiagram } from './diagram_box.js';

function mark(box, canvas, registry) {
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

document.querySelectorAll('[data-sf-viewer]').forEach(
  (box) => drawDiagram(box, (canvas, registry) => mark(box, canvas, registry), { hideOnError: true }));
copyButtons();

// The modeler page (流程设计): opens the version's file (or an empty diagram) in the bundled bpmn-js
// Modeler, keeps an unsaved draft in this browser (localStorage, per procedure and version), saves to
// the server with the page's CSRF token and shows why a save was refused, marking the elements named.
// No inline script: the data comes in data-* attributes of [data-sf-modeler].
import { createModeler } from '../vendor/modeler.js';

const root = document.querySelector('[data-sf-modeler]');
const msg = JSON.parse(root.dataset.sfMessages);
const status = root.querySelector('[data-sf-status]');
const problemsBox = root.querySelector('[data-sf-problems]');
const problemList = root.querySelector('[data-sf-problem-list]');
const key = root.dataset.sfKey;
const version = root.dataset.sfVersion;
const storageKey = `schoolflow.modeler.${key || '(new)'}.${version || 0}`;

const modeler = createModeler({
  container: root.querySelector('[data-sf-canvas]'),
  propertiesParent: root.querySelector('[data-sf-properties]'),
  chinese: root.dataset.sfChinese === 'true'
});
let marked = [];
let dirty = false;
let loadedXml = '';

function fill(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => (name in values ? values[name] : ''));
}

function say(text, kind) {
  status.textContent = text;
  status.classList.toggle('sf-bad', kind === 'bad');
  status.classList.toggle('sf-good', kind === 'good');
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute('content') : '';
}

async function open(xml) {
  await modeler.importXML(xml);
  const canvas = modeler.get('canvas');
  canvas.zoom('fit-viewport');
  // On a phone the palette covers the left of the canvas: shrink the fitted diagram and move it right of it.
  const { inner, outer } = canvas.viewbox();
  if (outer.width < 640 && inner.width > 0) {
    const palette = 110;
    const scale = Math.min((outer.width - palette - 10) / inner.width, (outer.height - 20) / inner.height, 1);
    canvas.viewbox({ x: inner.x - palette / scale, y: inner.y - 10 / scale,
      width: outer.width / scale, height: outer.height / scale });
  }
  root.dataset.sfReady = 'true';
}

async function currentXml() {
  const { xml } = await modeler.saveXML({ format: true });
  return xml;
}

function keepLocally(xml) {
  try {
    localStorage.setItem(storageKey, JSON.stringify({ xml, savedAt: new Date().toISOString() }));
  } catch (e) { /* storage full or disabled: the server draft still covers a refused save */ }
}

function forgetLocally() {
  try { localStorage.removeItem(storageKey); } catch (e) { /* nothing kept */ }
}

function clearMarks() {
  const canvas = modeler.get('canvas');
  marked.forEach((id) => { try { canvas.removeMarker(id, 'sf-problem'); } catch (e) { /* gone */ } });
  marked = [];
}

function showElement(id) {
  const element = modeler.get('elementRegistry').get(id);
  if (!element) return;
  modeler.get('selection').select(element);
  try { modeler.get('canvas').scrollToElement(element); } catch (e) { /* a root element */ }
}

function showProblems(problems) {
  clearMarks();
  problemList.replaceChildren();
  const registry = modeler.get('elementRegistry');
  problems.forEach((p) => {
    const li = document.createElement('li');
    const text = document.createElement('span');
    text.textContent = p.message;
    const where = document.createElement('span');
    where.className = 'sf-problem-where';
    const parts = [p.file];
    if (p.line) parts.push(fill(msg.line, { line: p.line }));
    if (p.element_id) parts.push(fill(msg.element, { id: p.element_id }));
    where.textContent = ` (${parts.join(', ')})`;
    li.append(text, where);
    li.dataset.sfElement = p.element_id || '';
    if (p.element_id && registry.get(p.element_id)) {
      try { modeler.get('canvas').addMarker(p.element_id, 'sf-problem'); marked.push(p.element_id); } catch (e) { /* not drawn */ }
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = msg.show;
      button.addEventListener('click', () => showElement(p.element_id));
      li.append(button);
    }
    problemList.append(li);
  });
  problemsBox.hidden = problems.length === 0;
}

async function save() {
  const button = root.querySelector('[data-sf-save]');
  button.disabled = true;
  say(msg.saving);
  let xml;
  try {
    xml = await currentXml();
    keepLocally(xml);
    const response = await fetch(root.dataset.sfSaveUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
      body: JSON.stringify({ key, version, xml })
    });
    const isJson = (response.headers.get('Content-Type') || '').includes('json');
    if (!isJson) {
      say(response.status === 400 ? msg.expired : msg.saveFailed, 'bad');
      return;
    }
    const answer = await response.json();
    if (answer.status === 'refused') {
      showProblems(answer.problems || []);
      say(answer.message, 'bad');
      return;
    }
    showProblems([]);
    forgetLocally();
    dirty = false;
    loadedXml = xml;
    say(answer.message, 'good');
    if (answer.status === 'staged' && answer.next) window.location.assign(answer.next);
  } catch (e) {
    say(msg.saveFailed, 'bad');
  } finally {
    button.disabled = false;
  }
}

function offerLocalDraft() {
  let kept;
  try { kept = JSON.parse(localStorage.getItem(storageKey) || 'null'); } catch (e) { kept = null; }
  if (!kept || !kept.xml || kept.xml === loadedXml) return;
  const box = root.querySelector('[data-sf-local-draft]');
  const when = new Date(kept.savedAt);
  box.querySelector('[data-sf-local-draft-text]').textContent =
    fill(msg.localDraft, { when: isNaN(when) ? '' : when.toLocaleString() });
  const restore = box.querySelector('[data-sf-restore]');
  const forget = box.querySelector('[data-sf-forget]');
  restore.textContent = msg.restore;
  forget.textContent = msg.discard;
  restore.addEventListener('click', async () => {
    await open(kept.xml);
    dirty = true;
    box.hidden = true;
    say(msg.restored);
  });
  forget.addEventListener('click', () => {
    forgetLocally();
    box.hidden = true;
    say(msg.discarded);
  });
  box.hidden = false;
}

function wireServerDraft() {
  const box = root.querySelector('[data-sf-server-draft]');
  if (!box) return;
  box.querySelector('[data-sf-resume]').addEventListener('click', async () => {
    const response = await fetch(root.dataset.sfDraftUrl, { credentials: 'same-origin' });
    if (!response.ok) { say(msg.saveFailed, 'bad'); return; }
    const draft = await response.json();
    await open(draft.xml);
    dirty = true;
    keepLocally(draft.xml);
    showProblems(draft.problems || []);
    box.hidden = true;
    say(msg.restored);
  });
  box.querySelector('[data-sf-discard]').addEventListener('click', async () => {
    const response = await fetch(root.dataset.sfDiscardUrl, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
      body: JSON.stringify({ key })
    });
    if (response.ok) { box.hidden = true; say((await response.json()).message); } else { say(msg.saveFailed, 'bad'); }
  });
}

async function start() {
  try {
    const response = await fetch(root.dataset.sfSourceUrl, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(String(response.status));
    loadedXml = await response.text();
    await open(loadedXml);
    loadedXml = await currentXml(); // as the modeler writes it, to compare with a kept draft
  } catch (e) {
    say(fill(msg.loadFailed, { reason: e.message }), 'bad');
    root.dataset.sfReady = 'error';
    return;
  }
  modeler.on('commandStack.changed', async () => {
    dirty = true;
    keepLocally(await currentXml());
  });
  root.querySelector('[data-sf-save]').addEventListener('click', save);
  window.addEventListener('beforeunload', (event) => {
    if (dirty) { event.preventDefault(); event.returnValue = msg.leave; }
  });
  offerLocalDraft();
  wireServerDraft();
}

start();

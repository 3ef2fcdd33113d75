// English that libraries write into the page without calling translate(), passed through the same
// translate() table (webui/frontend/zh.json) as the rest of the modeler; loaded only for the Chinese UI.
// - bpmn-js-token-simulation: the toggle's "Token Simulation" label, its buttons' titles, the log's
//   header and its texts, the notifications. The log's and the notifications' texts are translated as
//   they are written (wrapping their two methods); the rest as it appears in the page.
// - @bpmn-io/properties-panel's list entries, which fall back to English titles ("Delete item",
//   "List contains 2 items") when the entry is built without the translate prop, as
//   bpmn-js-properties-panel's Camunda entries are.
// "As it appears": a MutationObserver on the canvas and the properties panel, since the libraries
// rewrite these on each toggle and render them late. A text the table lacks stays as written.
const PATTERNS = [
  [ /^Set animation speed = (.*)$/, (t, m) => t('Set animation speed = {speed}', { speed: t(m[1]) }) ],
  [ /^List contains (\d+) items?$/, (t, m) => t(m[0].replace(m[1], '{numOfItems}'), { numOfItems: m[1] }) ]
];
// The elements whose own text the token simulation writes: the toggle, the log's header and empty line.
const LABELLED = '.bts-toggle-mode, .bts-log .bts-header, .bts-entry.placeholder';
const OURS = '[class*="bts-"], [class*="bio-properties-panel"]';

function HardCodedZh(translate, canvas, log, notifications, panelConfig) {
  const said = (text) => {
    if (typeof text !== 'string') return text;
    for (const [ pattern, render ] of PATTERNS) {
      const m = pattern.exec(text);
      if (m) return render(translate, m);
    }
    return translate(text);
  };
  for (const [ service, method ] of [ [ log, 'log' ], [ notifications, 'showNotification' ] ]) {
    const original = service[method].bind(service);
    service[method] = (options) => original({ ...options, text: said(options.text) });
  }

  const attribute = (el, name) => {
    const text = el.getAttribute(name);
    const shown = said(text);
    if (shown !== text) el.setAttribute(name, shown);
  };
  const label = (el) => {
    for (const node of el.childNodes) {
      const text = node.nodeType === 3 && node.textContent.trim();
      if (text && said(text) !== text) node.textContent = ` ${said(text)} `;
    }
  };
  const walk = (root) => {
    if (root.nodeType !== 1) return;
    for (const el of [ root, ...root.querySelectorAll('[title], [aria-label]') ]) {
      if (!el.closest(OURS)) continue;
      if (el.hasAttribute('title')) attribute(el, 'title');
      if (el.hasAttribute('aria-label')) attribute(el, 'aria-label');
    }
    if (root.matches(LABELLED)) label(root);
    root.querySelectorAll(LABELLED).forEach(label);
  };
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes') {
        if (record.target.closest(OURS)) attribute(record.target, record.attributeName);
      } else {
        record.addedNodes.forEach(walk);
      }
      if (record.target.nodeType === 1 && record.target.matches(LABELLED)) label(record.target);
    }
  });
  const parent = panelConfig && panelConfig.parent;
  const roots = [ canvas.getContainer(), typeof parent === 'string' ? document.querySelector(parent) : parent ];
  for (const root of roots.filter(Boolean)) {
    observer.observe(root, { subtree: true, childList: true, attributes: true,
      attributeFilter: [ 'title', 'aria-label' ] });
    walk(root);
  }
}

HardCodedZh.$inject = [ 'translate', 'canvas', 'log', 'notifications', 'config.propertiesPanel' ];

export default {
  __init__: [ 'hardCodedZh' ],
  hardCodedZh: [ 'type', HardCodedZh ]
};

// Opens BPMN files the way Camunda Modeler / bpmn.io do and prints, as JSON, everything they would
// complain about. Used by tests/modeler/test_modeler_import.py; the Node packages are pinned in the
// repository's package.json / package-lock.json (scripts/setup.sh runs `npm ci`).
//
//   node tests/modeler/check.mjs FILE.bpmn...
//
// For each file: {"file", "error", "import": [...], "lint": [...]}
//   error   the file could not be read at all (fromXML threw), else null
//   import  the import warnings of bpmn-moddle + camunda-bpmn-moddle `fromXML` (unknown elements or
//           attributes, unresolved references): the warnings bpmn-js shows when it opens a file,
//           plus its BpmnTreeWalker's diagram checks (a DI element naming no or an unknown element,
//           two DI elements for one element)
//   lint    the reports of bpmnlint with the repository's .bpmnlintrc (rule, category, id, message)
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(ROOT, 'package.json'));

const { BpmnModdle } = require('bpmn-moddle');
const camunda = require('camunda-bpmn-moddle/resources/camunda.json');
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

const config = JSON.parse(await readFile(join(ROOT, '.bpmnlintrc'), 'utf-8'));
delete config.moddleExtensions; // the CLI's way of naming extensions; here they are loaded above

function elementId(element) {
  return element && (element.id || (element.$type ? `<${element.$type}>` : undefined)) || null;
}

// bpmn-js's elementToString, for the same wording as its BpmnTreeWalker.
function elementToString(e) {
  return '<' + e.$type + (e.id ? ' id="' + e.id : '') + '" />';
}

// bpmn-js's BpmnTreeWalker (registerDi) warns about DI it cannot use; bpmn-moddle alone does not.
function diagramWarnings(definitions) {
  const warnings = [];
  const seen = new Map();
  for (const diagram of definitions.diagrams || []) {
    const plane = diagram.plane;
    const planeElements = plane ? [ plane, ...(plane.planeElement || []) ] : [];
    for (const di of planeElements) {
      const element = di.bpmnElement;
      if (!element) {
        warnings.push({ message: `no bpmnElement referenced in ${elementToString(di)}`, element: di.id || null });
        continue;
      }
      if (seen.has(element)) {
        warnings.push({ message: `multiple DI elements defined for ${elementToString(element)}`,
          element: element.id || null });
      }
      seen.set(element, di);
    }
  }
  return warnings;
}

async function check(file) {
  const xml = await readFile(file, 'utf-8');
  const moddle = new BpmnModdle({ camunda });
  let parsed;
  try {
    parsed = await moddle.fromXML(xml);
  } catch (err) {
    return { file, error: err.message.split('\n')[0], import: [], lint: [] };
  }
  const { rootElement, warnings = [] } = parsed;
  const imported = warnings.map(w => ({
    message: String(w.message).split('\n')[0],
    element: elementId(w.element),
    property: w.property || null
  }));
  imported.push(...diagramWarnings(rootElement));
  const lint = [];
  // A new linter per file, as the bpmnlint CLI does: some rules keep state between elements.
  const linter = new Linter({ config, resolver: new NodeResolver({ require }) });
  for (const [ rule, reports ] of Object.entries(await linter.lint(rootElement))) {
    for (const r of reports) {
      lint.push({ rule, category: r.category, id: r.id || null, message: r.message, path: r.path || null });
    }
  }
  return { file, error: null, import: imported, lint };
}

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node tests/modeler/check.mjs FILE.bpmn...');
  process.exit(2);
}
const results = [];
for (const file of files) {
  results.push(await check(file));
}
process.stdout.write(JSON.stringify(results, null, 1) + '\n');

// Reads each BPMN file and writes it back as the browser's modeler does when it saves (bpmn-js's
// importXML/saveXML are bpmn-moddle's fromXML/toXML with camunda-bpmn-moddle, format: true), into
// OUT_DIR under the same file name. Used by tests/modeler/test_modeler_roundtrip.py.
//
//   node tests/modeler/roundtrip.mjs OUT_DIR FILE.bpmn...
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(ROOT, 'package.json'));
const { BpmnModdle } = require('bpmn-moddle');
const camunda = require('camunda-bpmn-moddle/resources/camunda.json');

const [ out, ...files ] = process.argv.slice(2);
if (!out || !files.length) {
  console.error('usage: node tests/modeler/roundtrip.mjs OUT_DIR FILE.bpmn...');
  process.exit(2);
}
for (const file of files) {
  const moddle = new BpmnModdle({ camunda });
  const { rootElement, warnings } = await moddle.fromXML(await readFile(file, 'utf-8'));
  if (warnings.length) {
    console.error(`${file}: ${warnings.map((w) => w.message).join('; ')}`);
    process.exit(1);
  }
  const { xml } = await moddle.toXML(rootElement, { format: true });
  await writeFile(join(out, basename(file)), xml);
}

// The administrators' modeler (流程设计): bpmn-js Modeler with the Camunda 7 properties panel, the
// project's lint rules, the token simulation and the schoolflow element templates. Bundled by
// scripts/build_assets.sh into webui/static/vendor/modeler.{js,css}; the page module
// webui/static/js/modeler_page.js imports it. No inline script or style (the CSP forbids them).
import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule
} from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import { ElementTemplatesPropertiesProviderModule } from 'bpmn-js-element-templates';
import LintModule from 'bpmn-js-bpmnlint';
import TokenSimulationModule from 'bpmn-js-token-simulation';

// .bpmnlintrc compiled by scripts/build_assets.sh (bpmnlint's compile-config): the rules tests/modeler runs.
import bpmnlintConfig from './generated/bpmnlint-config.js';
import elementTemplates from './element-templates.json';
import templateForms from './template-forms.json';
import zh from './zh.json';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-element-templates/dist/assets/element-templates.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import 'bpmn-js-token-simulation/assets/css/bpmn-js-token-simulation.css';

import TemplatePaletteModule from './template-palette.js';
import HardCodedZhModule from './hard-coded-zh.js';

// bpmn-js-examples i18n: translate(template, replacements) replacing {name} placeholders.
function translator(table) {
  function translate(template, replacements) {
    const text = table[template] || template;
    return text.replace(/{([^}]+)}/g, (_, key) => (replacements && key in replacements) ? replacements[key] : `{${key}}`);
  }
  return { translate: [ 'value', translate ] };
}

export function createModeler({ container, propertiesParent, chinese }) {
  const modules = [
    BpmnPropertiesPanelModule,
    BpmnPropertiesProviderModule,
    CamundaPlatformPropertiesProviderModule,
    CamundaBehaviorsModule,
    ElementTemplatesPropertiesProviderModule,
    LintModule,
    TokenSimulationModule,
    TemplatePaletteModule
  ];
  if (chinese) modules.push(translator(zh), HardCodedZhModule);
  return new BpmnModeler({
    container,
    propertiesPanel: { parent: propertiesParent },
    linting: { bpmnlint: bpmnlintConfig, active: true },
    elementTemplates,
    schoolflowTemplateForms: templateForms,
    additionalModules: modules,
    moddleExtensions: { camunda: camundaModdle }
  });
}

export { elementTemplates };

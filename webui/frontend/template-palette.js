// Palette entries for the schoolflow element templates (登记, 调查核实, 答复, 审批, 归档): drag or click
// one to place a user task with the template applied (name, candidate group, due date) and its form
// fields added. Camunda 7 element templates cannot bind camunda:formData, so the form fields come from
// template-forms.json, keyed by template id, and are added in the same step as the template.

const PRIORITY_AFTER_CREATE = 500; // below diagram-js Create's own create.end handler (1000)

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function TemplatePalette(palette, create, elementFactory, elementTemplates, eventBus, modeling,
  bpmnFactory, translate, config) {
  const forms = config.schoolflowTemplateForms || {};
  // The templates as configured: the loader fills elementTemplates on diagram.init, after the palette
  // has asked for its entries.
  const templates = config.elementTemplates || [];

  this.getPaletteEntries = function() {
    const entries = {};
    templates.forEach((template) => {
      const start = (event) => {
        const shape = elementFactory.createShape({ type: 'bpmn:UserTask' });
        create.start(event, shape, { hints: { schoolflowTemplate: template.id } });
      };
      const title = translate('Add task: {name}', { name: template.name });
      entries[`sf-template-${template.id}`] = {
        group: 'schoolflow-templates',
        html: `<div class="entry sf-template-entry" draggable="true" data-sf-template="${escapeHtml(template.id)}">` +
          `${escapeHtml(template.name)}</div>`,
        title,
        action: { dragstart: start, click: start }
      };
    });
    return entries;
  };

  eventBus.on('create.end', PRIORITY_AFTER_CREATE, (event) => {
    const context = event.context || {};
    const id = context.hints && context.hints.schoolflowTemplate;
    if (!id || !context.shape) return;
    const template = elementTemplates.get(id);
    if (!template) return;
    const element = elementTemplates.applyTemplate(context.shape, template) || context.shape;
    addFormFields(element, forms[id] || []);
  });

  function addFormFields(element, fields) {
    if (!fields.length) return;
    const bo = element.businessObject;
    let extensionElements = bo.get('extensionElements');
    if (!extensionElements) {
      extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
      modeling.updateProperties(element, { extensionElements });
    }
    const formFields = fields.map((field) => {
      const formField = bpmnFactory.create('camunda:FormField', { id: field.id, label: field.label, type: field.type });
      if (field.constraints && field.constraints.length) {
        const validation = bpmnFactory.create('camunda:Validation', {
          constraints: field.constraints.map((c) => bpmnFactory.create('camunda:Constraint', c))
        });
        validation.$parent = formField;
        validation.constraints.forEach((c) => { c.$parent = validation; });
        formField.validation = validation;
      }
      return formField;
    });
    const formData = bpmnFactory.create('camunda:FormData', { fields: formFields });
    formFields.forEach((f) => { f.$parent = formData; });
    formData.$parent = extensionElements;
    modeling.updateModdleProperties(element, extensionElements, {
      values: [ ...extensionElements.get('values'), formData ]
    });
  }

  palette.registerProvider(this);
}

TemplatePalette.$inject = [ 'palette', 'create', 'elementFactory', 'elementTemplates', 'eventBus', 'modeling',
  'bpmnFactory', 'translate', 'config' ];

export default {
  __init__: [ 'schoolflowTemplatePalette' ],
  schoolflowTemplatePalette: [ 'type', TemplatePalette ]
};

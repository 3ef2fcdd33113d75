// Palette entries for the schoolflow element templates (登记, 调查核实, 答复, 审批, 归档): drag or click
// one to place a user task with the template applied (name, candidate group, due date) and its form
// fields added. Camunda 7 element templates cannot bind camunda:formData, so the form fields come from
// template-forms.json, keyed by template id, and are added in the same step as the template. The
// properties panel's template chooser button opens the same list for the selected task.

const PRIORITY_AFTER_CREATE = 500; // below diagram-js Create's own create.end handler (1000)

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function TemplatePalette(palette, create, elementFactory, elementTemplates, eventBus, modeling,
  bpmnFactory, translate, config, popupMenu, canvas) {
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
    const configured = templates.find((t) => t.id === id);
    // get(id) alone finds only templates without a version; ours have one.
    const template = configured && elementTemplates.get(id, configured.version);
    if (template) apply(context.shape, template);
  });

  function apply(element, template) {
    const applied = elementTemplates.applyTemplate(element, template) || element;
    addFormFields(applied, forms[template.id] || []);
    return applied;
  }

  // The panel's 模板 "Select" / "Change" button asks for a chooser: the templates that fit the element,
  // in diagram-js's popup menu (searchable, keyboard-operable) beside the element.
  eventBus.on('elementTemplates.select', (event) => {
    const element = event.element;
    if (!element || !elementTemplates.getAll(element).length) return;
    const box = canvas.getContainer().getBoundingClientRect();
    const bbox = canvas.getAbsoluteBBox(element);
    popupMenu.open(element, 'schoolflow-templates', {
      x: box.left + bbox.x + bbox.width, y: box.top + bbox.y, cursor: { x: box.left + bbox.x, y: box.top + bbox.y }
    }, { title: translate('Choose a template'), search: true, width: 240 });
  });

  popupMenu.registerProvider('schoolflow-templates', {
    getPopupMenuEntries(element) {
      const entries = {};
      elementTemplates.getAll(element).forEach((template) => {
        entries[`sf-apply-${template.id}`] = {
          label: template.name,
          description: template.description,
          action: () => apply(element, template)
        };
      });
      return entries;
    }
  });

  function addFormFields(element, fields) {
    if (!fields.length) return;
    const bo = element.businessObject;
    let extensionElements = bo.get('extensionElements');
    if (!extensionElements) {
      extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
      modeling.updateProperties(element, { extensionElements });
    }
    // A task that has a form keeps it: the template's fields are added to it, except ids it already has.
    let formData = extensionElements.get('values').find((v) => v.$instanceOf('camunda:FormData'));
    const have = new Set(formData ? formData.get('fields').map((f) => f.id) : []);
    const formFields = fields.filter((field) => !have.has(field.id)).map((field) => {
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
    if (!formFields.length) return;
    if (formData) {
      formFields.forEach((f) => { f.$parent = formData; });
      modeling.updateModdleProperties(element, formData, { fields: [ ...formData.get('fields'), ...formFields ] });
      return;
    }
    formData = bpmnFactory.create('camunda:FormData', { fields: formFields });
    formFields.forEach((f) => { f.$parent = formData; });
    formData.$parent = extensionElements;
    modeling.updateModdleProperties(element, extensionElements, {
      values: [ ...extensionElements.get('values'), formData ]
    });
  }

  palette.registerProvider(this);
}

TemplatePalette.$inject = [ 'palette', 'create', 'elementFactory', 'elementTemplates', 'eventBus', 'modeling',
  'bpmnFactory', 'translate', 'config', 'popupMenu', 'canvas' ];

export default {
  __init__: [ 'schoolflowTemplatePalette' ],
  schoolflowTemplatePalette: [ 'type', TemplatePalette ]
};

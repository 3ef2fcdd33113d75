// The case page's diagram: bpmn-js NavigatedViewer with the engine's marks (done, current, overdue).
// Bundled by scripts/build_assets.sh into webui/static/vendor/viewer.{js,css}; the page module
// webui/static/js/case_diagram.js imports it. No inline script or style anywhere (the CSP forbids them).
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';

export { NavigatedViewer };

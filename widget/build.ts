/**
 * Builds the storefront widget into one file, dist/widget/widget.js (served by Patron at
 * /widget.js), prints its size raw and gzipped, and fails over the 35 KB gzipped budget.
 *
 *   npm run build:widget
 */
import { buildWidget, WIDGET_BUDGET_BYTES } from '../src/modules/storefront/storefront.widget.js';

const { bytes, gzipped } = await buildWidget();
console.log(`dist/widget/widget.js: ${bytes} bytes, ${gzipped} bytes gzipped (${(gzipped / 1024).toFixed(1)} KB; budget ${WIDGET_BUDGET_BYTES / 1024} KB)`);
if (gzipped > WIDGET_BUDGET_BYTES) {
  console.error('The widget is over its gzipped budget');
  process.exit(1);
}

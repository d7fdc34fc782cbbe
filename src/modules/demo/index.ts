/**
 * The public entry of the demo feature: what other features may use of it. Other features
 * import only this file; the module definition is in demo.module.ts.
 */
export { seedDemo } from './demo.service.js';

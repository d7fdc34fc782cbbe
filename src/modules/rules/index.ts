/**
 * The public entry of the rules feature: what other features may use of it. Other features
 * import only this file; the module definition is in rules.module.ts.
 */
export { triggerCustomAction } from './custom-actions.service.js';
export { creditSignup } from './rules.earn.js';
export { activeRule, createRule } from './rules.service.js';

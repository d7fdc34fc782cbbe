/**
 * The public entry of the api-keys feature: what other features may use of it. Other features
 * import only this file; the module definition is in api-keys.module.ts.
 */
export { createApiKey } from './api-keys.service.js';

/**
 * The public entry of the jobs-api feature: what other features may use of it. Other features
 * import only this file; the module definition is in jobs-api.module.ts.
 */
export { jobViewSchema } from './jobs-api.schemas.js';
export { getJobView } from './jobs-api.service.js';

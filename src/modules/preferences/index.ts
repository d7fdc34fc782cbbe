/**
 * The public entry of the preferences feature: what other features may use of it. Other features
 * import only this file; the module definition is in preferences.module.ts.
 */
export { preferencesSchema } from './preferences.schemas.js';
export { setPreferences } from './preferences.service.js';

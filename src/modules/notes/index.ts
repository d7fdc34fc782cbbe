/**
 * The public entry of the notes feature: what other features may use of it. Other features
 * import only this file; the module definition is in notes.module.ts.
 */
export { saveNote } from './notes.service.js';

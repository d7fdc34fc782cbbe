/**
 * The public entry of the segments feature: what other features may use of it. Other features
 * import only this file; the module definition is in segments.module.ts.
 */
export { findSegment } from './segments.repo.js';

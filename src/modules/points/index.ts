/**
 * The public entry of the points feature: what other features may use of it. Other features
 * import only this file; the module definition is in points.module.ts.
 */
export {};

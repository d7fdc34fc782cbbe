/**
 * The public entry of the bulk feature: what other features may use of it. Other features
 * import only this file; the module definition is in bulk.module.ts.
 */
export {};

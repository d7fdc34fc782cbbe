/**
 * The public entry of the imports feature: what other features may use of it. Other features
 * import only this file; the module definition is in imports.module.ts.
 */
export {};

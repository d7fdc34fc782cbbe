/**
 * The public entry of the exports feature: what other features may use of it. Other features
 * import only this file; the module definition is in exports.module.ts.
 */
export {};

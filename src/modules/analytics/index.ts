/**
 * The public entry of the analytics feature: what other features may use of it. Other features
 * import only this file; the module definition is in analytics.module.ts.
 */
export {};

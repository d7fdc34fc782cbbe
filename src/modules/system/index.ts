/**
 * The public entry of the system feature: what other features may use of it. Other features
 * import only this file; the module definition is in system.module.ts.
 */
export {};

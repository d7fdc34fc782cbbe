/**
 * The public entry of the tiers feature: what other features may use of it. Other features
 * import only this file; the module definition is in tiers.module.ts.
 */
export {};

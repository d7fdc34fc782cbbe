/**
 * The public entry of the grid feature: what other features may use of it. Other features
 * import only this file; the module definition is in grid.module.ts.
 */
export {};

/**
 * The public entry of the program feature: what other features may use of it. Other features
 * import only this file; the module definition is in program.module.ts.
 */
export { getProgram, type ProgramSettings } from './program.service.js';

/**
 * The public entry of the grid feature: what other features may use of it. Other features
 * import only this file; the module definition is in grid.module.ts.
 */
export { type CustomerWhere } from './grid.repo.js';
export { type CustomerFilter, customerFilterSchema, filterFromQuery, filterQuerySchema } from './grid.schemas.js';
export { countMatches, customerIdBatches, resolveCustomerFilter, type ResolvedCustomerFilter } from './grid.service.js';
export { foldSearch } from './search-fold.js';

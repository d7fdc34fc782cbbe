/**
 * The public entry of the tiers feature: what other features may use of it. Other features
 * import only this file; the module definition is in tiers.module.ts.
 */
export { assignTier } from './tiers.customer.service.js';
export { loadTierContext, progressIn } from './tiers.progress.js';
export { basisValue, createTier, getTierSettings, listTierViews, parseBasisValue, progressUnit, putTierSettings, tierBirthdayOverride } from './tiers.service.js';

/**
 * The public entry of the referrals feature: what other features may use of it. Other features
 * import only this file; the module definition is in referrals.module.ts.
 */
export { createReferral, toReferralView } from './referrals.lifecycle.js';
export { referralsOf } from './referrals.repo.js';
export { referralSchema } from './referrals.schemas.js';
export { activeReferralLink, getReferral } from './referrals.service.js';

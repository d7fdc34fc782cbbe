/**
 * The public entry of the rewards feature: what other features may use of it. Other features
 * import only this file; the module definition is in rewards.module.ts.
 */
export { findCoupon, lockCoupon, setCouponStoreState, type CouponRow } from './rewards.repo.js';
export { getCoupon } from './rewards.coupons.js';

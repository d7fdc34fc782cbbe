/**
 * The public entry of the rewards feature: what other features may use of it. Other features
 * import only this file; the module definition is in rewards.module.ts.
 */
export { getCoupon, giveReward, redeemReward, revokeCoupon } from './rewards.coupons.js';
export { type CouponRow, couponsOfCustomer, findCoupon, lockCoupon, setCouponStoreState } from './rewards.repo.js';
export { couponSchema } from './rewards.schemas.js';
export { createReward } from './rewards.service.js';
export { toCouponView } from './rewards.views.js';

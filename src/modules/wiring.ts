/**
 * Features that react to other features' changes install their hooks when their service
 * module loads (tier upgrades and multipliers on orders and ledger credits, coupons used
 * by orders, referrals completed by a first order, signup points). Importing them here,
 * from the runtime, guarantees the hooks are in place in every process — API, worker,
 * CLI seeders — not only where the HTTP routes happen to be loaded.
 */
import './tiers/tiers.customer.service.js';
import './rewards/rewards.coupons.js';
import './referrals/referrals.lifecycle.js';
import './referrals/referrals.service.js';
import './rules/rules.earn.js';
import './membership/membership.service.js';

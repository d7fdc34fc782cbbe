import type { WalletPart } from './wallet.parts.js';
import { pruneLinkHits } from './wallet.customer.service.js';
import { PASS_LINK_VERIFIER, passLinkVerifier, walletCustomerRoutes } from './wallet.customer.routes.js';

/** Wallet part: the pass web app (/c/{token}), scans and taps. */
export const customerPart: WalletPart = {
  routes: walletCustomerRoutes,
  verifiers: { [PASS_LINK_VERIFIER]: passLinkVerifier },
  jobs: { 'wallet.prune-link-hits': (ctx, job) => pruneLinkHits(ctx, job.orgId) },
  schedules: [{ jobType: 'wallet.prune-link-hits', everyMs: 3600 * 1000 }],
};

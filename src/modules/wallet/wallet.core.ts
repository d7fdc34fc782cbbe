import { passUpdatesConsumer } from './wallet.core.changes.js';
import { walletCoreRoutes } from './wallet.core.routes.js';
import type { WalletPart } from './wallet.parts.js';

/** Wallet part: the passes: content, tokens, the profile's wallet summary, updates on change (Apple + core). */
export const corePart: WalletPart = {
  routes: walletCoreRoutes,
  consumers: [passUpdatesConsumer],
};

import type { WalletPart } from './wallet.parts.js';

/** Wallet part: the pass web app, scans and taps. */
export const customerPart: WalletPart = {};

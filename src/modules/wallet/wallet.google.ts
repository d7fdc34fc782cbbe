import type { WalletPart } from './wallet.parts.js';

/** Wallet part: Google Wallet. */
export const googlePart: WalletPart = {};

import type { WalletPart } from './wallet.parts.js';

/** Wallet part: Apple Wallet. */
export const applePart: WalletPart = {};

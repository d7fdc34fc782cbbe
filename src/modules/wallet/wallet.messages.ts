import type { WalletPart } from './wallet.parts.js';

/** Wallet part: pushes, campaigns and loyalty card e-mails. */
export const messagesPart: WalletPart = {};

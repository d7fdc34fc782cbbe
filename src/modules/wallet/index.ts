/**
 * The public entry of the wallet feature: what other features may use of it. Other features
 * import only this file; the module definition is in wallet.module.ts.
 */
export type { PassContent } from './wallet.platforms.js';
export {
  contentHash,
  ensurePass,
  hashPassToken,
  normalizeCardCode,
  passByCardCode,
  passBySerial,
  passByToken,
  passContent,
  type PassIdentity,
  type PassRef,
  walletSummary,
  type WalletSummary,
  webAppUrl,
} from './wallet.core.service.js';

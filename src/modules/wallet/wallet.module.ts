import { definePatronModule } from '../module.js';
import { applePart } from './wallet.apple.js';
import { corePart } from './wallet.core.js';
import { customerPart } from './wallet.customer.js';
import { googlePart } from './wallet.google.js';
import { messagesPart } from './wallet.messages.js';
import { mergeParts } from './wallet.parts.js';

/** Wallet passes: Apple and Google loyalty cards that update themselves, messages, scans and taps. */
export const walletModule = definePatronModule({
  name: 'wallet',
  ...mergeParts([corePart, applePart, googlePart, messagesPart, customerPart]),
});

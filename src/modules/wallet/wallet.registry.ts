import { applePart } from './wallet.apple.js';
import { googlePart } from './wallet.google.js';
import type { PassPlatform } from './wallet.platforms.js';

/** The wallet platforms a pass can live on, in the order they are told about a change. */
export const PLATFORMS: readonly PassPlatform[] = [applePart.platform, googlePart.platform].filter((p): p is PassPlatform => p !== undefined);

import type { AppContext } from '../../context.js';
import { createSealer, type Sealer } from '../../core/sealing.js';
import { AppError } from '../../errors.js';
import { klaviyoProvider } from './klaviyo.js';
import type { MarketingProvider, ToolTarget } from './marketing.http.js';
import type { ConnectionRow } from './marketing.repo.js';
import type { MarketingTool } from './marketing.tables.js';
import { omnisendProvider } from './omnisend.js';

/** The marketing tools Patron syncs to; a third one is a file and a line here (and its name in migration checks). */
export const PROVIDERS: readonly MarketingProvider[] = [klaviyoProvider, omnisendProvider];

export const TOOLS = PROVIDERS.map((p) => p.tool) as [MarketingTool, ...MarketingTool[]];

export function providerOf(tool: MarketingTool): MarketingProvider {
  const p = PROVIDERS.find((x) => x.tool === tool);
  if (!p) throw new Error(`No marketing provider "${tool}"`);
  return p;
}

/** Seals and opens the tools' API keys; refuses when no encryption key is configured. */
export function keySealer(ctx: AppContext): Sealer {
  const key = ctx.config.encryptionKey;
  if (!key) {
    throw new AppError('RULE_REFUSED', 'Set PATRON_ENCRYPTION_KEY (32+ characters, kept secret and stable) to store marketing tool API keys; it is required with DATABASE_URL', {
      field: 'PATRON_ENCRYPTION_KEY',
    });
  }
  return createSealer(key, 'marketing api keys');
}

export function targetOf(ctx: AppContext, conn: ConnectionRow): ToolTarget {
  return { baseUrl: conn.base_url, apiKey: keySealer(ctx).open(conn.api_key_sealed), allowPrivate: conn.base_url_operator };
}

import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import * as repo from './shopify.repo.js';

/** The store's admin address of a customer: admin.shopify.com/store/{handle}/customers/{id}. */
export function shopifyAdminCustomerUrl(shop: string, shopifyId: string): string {
  const handle = shop.replace(/\.myshopify\.com$/, '');
  return `https://admin.shopify.com/store/${encodeURIComponent(handle)}/customers/${encodeURIComponent(shopifyId)}`;
}

/**
 * The customer's Shopify card (the profile's "integration sync status"): where they are in
 * the store's admin, their account there, email verification, marketing consent, when the
 * store last synced them and the last webhook that changed them. `linked: false` when the
 * store has not synced this customer.
 */
export async function getShopifyCard(ctx: AppContext, orgId: string, customerId: string) {
  const customer = await repo.customerBasics(ctx.db, orgId, customerId);
  if (!customer) throw AppError.notFound('Customer', customerId);
  const [card, connection] = await Promise.all([repo.findShopifyCustomer(ctx.db, orgId, customerId), repo.findConnection(ctx.db, orgId)]);
  const shop = connection?.shop_domain ?? null;
  if (!card) {
    return {
      linked: false as const,
      shop,
      connectionStatus: connection?.status ?? ('not_connected' as const),
      shopifyId: null,
      adminUrl: null,
      accountState: null,
      customerAccounts: connection?.customer_accounts ?? null,
      emailVerified: null,
      marketing: null,
      tags: [],
      lastSyncedAt: null,
      lastWebhook: null,
    };
  }
  return {
    linked: true as const,
    shop,
    connectionStatus: connection?.status ?? ('not_connected' as const),
    shopifyId: card.shopify_id,
    adminUrl: shop ? shopifyAdminCustomerUrl(shop, card.shopify_id) : null,
    accountState: card.account_state,
    customerAccounts: card.customer_accounts === 'classic' || card.customer_accounts === 'new' ? card.customer_accounts : (connection?.customer_accounts ?? null),
    emailVerified: card.verified_email,
    marketing: {
      email: card.email_marketing_state,
      emailOptInLevel: card.email_marketing_opt_in_level,
      emailUpdatedAt: card.email_marketing_updated_at?.toISOString() ?? null,
      sms: card.sms_marketing_state,
    },
    tags: card.tags,
    lastSyncedAt: card.last_synced_at.toISOString(),
    lastWebhook: card.last_webhook_id && card.last_webhook_at ? { id: card.last_webhook_id, topic: card.last_webhook_topic ?? '', at: card.last_webhook_at.toISOString() } : null,
  };
}

import { Anchor, Badge, Card, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Customer } from '../../api/models.js';
import { useShopifyCard, type ShopifyCustomerCard } from '../../api/shopify.js';
import { ErrorAlert } from '../../components/feedback.js';
import { Icon } from '../../components/icons.js';
import { useFormat } from '../../lib/format.js';

const ACCOUNT: Record<string, { label: string; color: string }> = {
  enabled: { label: 'Account enabled', color: 'green' },
  disabled: { label: 'No active account', color: 'gray' },
  invited: { label: 'Invited', color: 'blue' },
  declined: { label: 'Declined the invite', color: 'orange' },
};

const CONSENT: Record<string, string> = {
  subscribed: 'Subscribed',
  not_subscribed: 'Not subscribed',
  unsubscribed: 'Unsubscribed',
  pending: 'Pending confirmation',
  redacted: 'Redacted',
  invalid: 'Invalid address',
};

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" c="dimmed" style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" ta="right" component="div" style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Group>
  );
}

/** Why the account state means what it does with the store's customer accounts version. */
function accountNote(card: ShopifyCustomerCard): string | null {
  if (card.accountState !== 'enabled' && card.accountState !== 'disabled') return null;
  if (card.customerAccounts === 'new') return card.accountState === 'enabled' ? 'Has signed in to the store (new customer accounts)' : 'Has not signed in to the store yet (new customer accounts)';
  if (card.customerAccounts === 'classic') return card.accountState === 'enabled' ? 'Activated a classic account' : 'No activated classic account';
  return null;
}

/** The customer as the connected Shopify store knows them (integration sync status). */
export function ShopifyCard({ customer }: { customer: Customer }) {
  const fmt = useFormat();
  const card = useShopifyCard(customer.id);
  if (card.data && !card.data.linked && card.data.connectionStatus === 'not_connected') return null;
  const c = card.data;
  const account = c?.accountState ? (ACCOUNT[c.accountState] ?? { label: c.accountState, color: 'gray' }) : null;
  const note = c ? accountNote(c) : null;
  return (
    <Card data-testid="shopify-card">
      <Group justify="space-between" mb="sm" mih={28}>
        <Title order={2} size="h5">
          Shopify
        </Title>
        {c?.adminUrl && (
          <Anchor href={c.adminUrl} target="_blank" rel="noopener noreferrer" size="sm" data-testid="shopify-admin-link" style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
            Open in Shopify <Icon name="link" size={14} />
          </Anchor>
        )}
      </Group>
      {card.isError && <ErrorAlert error={card.error} onRetry={() => void card.refetch()} />}
      {card.isPending && <Skeleton h={96} />}
      {c && !c.linked && (
        <Text size="sm" c="dimmed">
          The store {c.shop ?? ''} has not synced this customer.
        </Text>
      )}
      {c?.linked && (
        <Stack gap={8}>
          <Row label="Shopify id">
            <span data-testid="shopify-id">{c.shopifyId}</span>
          </Row>
          <Row label="Account">
            {account ? (
              <Badge color={account.color} data-testid="shopify-account-state">
                {account.label}
              </Badge>
            ) : (
              'Unknown'
            )}
          </Row>
          {note && (
            <Text size="xs" c="dimmed" ta="right">
              {note}
            </Text>
          )}
          <Row label="Email verified">{c.emailVerified === null ? 'Unknown' : c.emailVerified ? 'Yes' : 'No'}</Row>
          <Row label="Email marketing">
            <span data-testid="shopify-consent">{c.marketing?.email ? (CONSENT[c.marketing.email] ?? c.marketing.email) : 'Unknown'}</span>
            {c.marketing?.emailUpdatedAt ? ` · ${fmt.date(c.marketing.emailUpdatedAt)}` : ''}
          </Row>
          {c.marketing?.sms && <Row label="SMS marketing">{CONSENT[c.marketing.sms] ?? c.marketing.sms}</Row>}
          {c.tags.length > 0 && <Row label="Tags">{c.tags.join(', ')}</Row>}
          <Row label="Last synced">
            <span data-testid="shopify-last-synced">{c.lastSyncedAt ? fmt.relative(c.lastSyncedAt) : 'Never'}</span>
          </Row>
          <Row label="Last webhook applied">
            <span data-testid="shopify-last-webhook">{c.lastWebhook ? `${c.lastWebhook.topic} · ${fmt.dateTime(c.lastWebhook.at)}` : 'None (backfill or API)'}</span>
          </Row>
          {c.connectionStatus !== 'connected' && (
            <Text size="xs" c="orange.8">
              The store is {c.connectionStatus.replace('_', ' ')}: nothing new arrives from it.
            </Text>
          )}
        </Stack>
      )}
    </Card>
  );
}

import { Anchor, Button, Card, Center, Group, MultiSelect, Skeleton, Stack, Text, Timeline } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { ActivityEvent } from '../../../api/models.js';
import { useActivity } from '../../../api/profile.js';
import { EmptyState, ErrorAlert } from '../../../components/feedback.js';
import { Icon, type IconName } from '../../../components/icons.js';
import { useFormat, type Formatter } from '../../../lib/format.js';
import { OrderLink } from '../order-link.js';
import { actorName } from './points-tab.js';

/** Filter groups: each maps to type prefixes the timeline API understands (e.g. points.*). */
export const ACTIVITY_TYPES: { value: string; label: string; icon: IconName; types: string[] }[] = [
  { value: 'orders', label: 'Orders and refunds', icon: 'cart', types: ['order.*'] },
  { value: 'points', label: 'Points', icon: 'coins', types: ['points.*', 'custom_action.*'] },
  { value: 'coupons', label: 'Coupons and rewards', icon: 'ticket', types: ['coupon.*', 'reward.*'] },
  { value: 'tiers', label: 'Tier changes', icon: 'crown', types: ['tier.*', 'customer.tier_changed'] },
  { value: 'membership', label: 'Membership', icon: 'users', types: ['membership.*', 'customer.membership_changed'] },
  { value: 'referrals', label: 'Referrals', icon: 'link', types: ['referral.*'] },
  { value: 'notes', label: 'Notes', icon: 'edit', types: ['note.*'] },
  { value: 'profile', label: 'Profile, privacy, preferences', icon: 'shield', types: ['customer.*', 'preferences.*'] },
  { value: 'wallet', label: 'Wallet passes', icon: 'bell', types: ['wallet.*'] },
];

function iconFor(type: string): IconName {
  return ACTIVITY_TYPES.find((g) => g.types.some((t) => (t.endsWith('.*') ? type.startsWith(t.slice(0, -1)) : type === t)))?.icon ?? 'history';
}

type Refs = NonNullable<ActivityEvent['refs']>;
const NO_REFS: Refs = { orders: {}, tiers: {}, customers: {} };

const CAUSE: Record<string, string> = {
  spend: 'Qualifying spend',
  points: 'Points earned',
  orders: 'Number of orders',
  manual: 'Assigned by staff',
  release: 'Manual tier released',
  recalculation: 'Recalculated from history',
  recalculate: 'Recalculated from history',
  expiry: 'Qualifying period ended',
  downgrade: 'Qualifying period ended',
  refund: 'Refund',
  import: 'Import',
};

const TYPE_LABEL: Record<string, string> = {
  'order.created': 'Order',
  'order.updated': 'Order updated',
  'order.refunded': 'Refund',
  'order.cancelled': 'Order cancelled',
  'tier.changed': 'Tier change',
  'tier.entry_reward': 'Tier reward',
  'tier.manual_assigned': 'Tier assigned by staff',
  'tier.manual_released': 'Manual tier released',
  'tier.progress_set': 'Tier progress edited',
  'tier.recalculated': 'Tier progress recalculated',
  'customer.tier_changed': 'Tier change',
  'points.adjusted': 'Points adjusted',
  'points.expired': 'Points expired',
  'points.activated': 'Points became active',
  'points.earned': 'Points earned',
  'points.visibility_changed': 'Ledger visibility',
  'points.expiring': 'Points expiring',
  'points.expiry_reminder': 'Expiry reminder',
  'rule.earned': 'Earning rule',
  'custom_action.triggered': 'Custom action',
  'custom_action.removed': 'Custom action removed',
  'reward.redeemed': 'Reward redeemed',
  'reward.given': 'Reward given',
  'coupon.used': 'Coupon used',
  'coupon.revoked': 'Coupon revoked',
  'coupon.expired': 'Coupon expired',
  'membership.changed': 'Membership',
  'customer.membership_changed': 'Membership',
  'referral.created': 'Referral',
  'referral.joined': 'Referral',
  'referral.completed': 'Referral completed',
  'note.updated': 'Note',
  'customer.created': 'Customer created',
  'customer.updated': 'Profile edited',
  'customer.anonymized': 'Personal data erased',
  'customer.exported': 'Data exported',
  'preferences.updated': 'Preferences',
  'wallet.card_sent': 'Loyalty card sent',
  'wallet.push_created': 'Push created',
  'wallet.push_sent': 'Push sent',
  'wallet.push_failed': 'Push failed',
  'wallet.campaign_joined': 'Campaign joined',
  'wallet.campaign_left': 'Campaign left',
  'wallet.scanned': 'Customer scanned',
  'wallet.tapped': 'Customer tapped',
  'wallet.pass_added': 'Pass added',
  'wallet.pass_removed': 'Pass removed',
  'wallet.reward_available': 'Reward redeemable',
};

/** `order.created` -> "Order"; an unknown code -> its words ("loyalty card issued"). */
export function eventLabel(type: string): string {
  const known = TYPE_LABEL[type];
  if (known) return known;
  const words = type.replace(/[._]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const words = (v: string) => {
  const t = v.replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
};

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const FIELD_LABEL: Record<string, string> = { first_name: 'First name', last_name: 'Last name', email: 'Email', phone: 'Phone', birthday: 'Birthday', anniversary: 'Anniversary' };
const CALENDAR_FIELDS = new Set(['birthday', 'anniversary']);

/** "Birthday changed from Mar 3, 1990 to Mar 5, 1990; phone removed (was +44 …)", from a profile edit's old and new values. */
function profileChanges(values: unknown, fmt: Formatter): string | null {
  if (!values || typeof values !== 'object') return null;
  const parts = Object.entries(values as Record<string, { from?: unknown; to?: unknown }>).map(([field, v]) => {
    const show = (x: unknown) => (typeof x === 'string' && x !== '' ? (CALENDAR_FIELDS.has(field) ? fmt.calendarDate(x) : x) : null);
    const from = show(v?.from);
    const to = show(v?.to);
    const label = FIELD_LABEL[field] ?? words(field);
    if (from && to) return `${label} changed from ${from} to ${to}`;
    if (to) return `${label} set to ${to}`;
    if (from) return `${label} removed (was ${from})`;
    return `${label} changed`;
  });
  if (parts.length === 0) return null;
  return parts.map((t, i) => (i === 0 ? t : t.charAt(0).toLowerCase() + t.slice(1))).join('; ');
}

const PLATFORM: Record<string, string> = { apple: 'Apple', google: 'Google' };

/** "Scanned at Store 12 (till 3)", "Tapped an NFC reader with the Apple pass at Store 12 (door)". */
function walletInteraction(e: ActivityEvent): string {
  const p = e.payload;
  const at = str(p.location) ? ` at ${str(p.location)}` : '';
  const device = str(p.device) ? ` (${str(p.device)})` : '';
  if (e.type === 'wallet.scanned') return `Scanned${at}${device}`;
  const platform = PLATFORM[str(p.platform) ?? ''];
  return `Tapped an NFC reader with ${platform ? `the ${platform} pass` : 'the pass'}${at}${device}`;
}

/** The event's first line: a sentence with order numbers and tier names, never ids. */
function title(e: ActivityEvent, refs: Refs, fmt: Formatter): ReactNode {
  const p = e.payload;
  const orderId = str(p.orderId);
  const order = orderId ? { id: orderId, externalId: refs.orders[orderId] ?? str(p.externalId) ?? '' } : null;
  const link = order?.externalId ? <OrderLink order={order} /> : null;
  if (e.type === 'order.created' && link) {
    const total = str(p.total);
    const earned = int(p.pointsEarned);
    return (
      <>
        Order {link} placed{total ? `: ${fmt.amount(total)}` : ''}
        {earned !== null ? `, ${fmt.points(earned)}` : ''}
      </>
    );
  }
  if (e.type === 'order.refunded' && link) {
    const amount = str(p.amount);
    const reversed = int(p.pointsReversed) ?? 0;
    return (
      <>
        Refund{amount ? ` of ${fmt.amount(amount)}` : ''} on order {link}
        {reversed ? `: ${fmt.points(reversed)} reversed` : ''}
      </>
    );
  }
  if ((e.type === 'tier.changed' || e.type === 'customer.tier_changed') && str(p.tier)) {
    const from = str(p.previousTier) ?? (str(p.previousTierId) ? refs.tiers[str(p.previousTierId)!] : null);
    const verb = p.direction === 'down' ? 'Tier lowered' : p.direction === 'up' ? 'Tier raised' : 'Tier changed';
    return `${verb} ${from ? `from ${from} ` : ''}to ${str(p.tier)}`;
  }
  if (e.type === 'wallet.scanned' || e.type === 'wallet.tapped') return walletInteraction(e);
  if (e.type === 'customer.updated') {
    const changes = profileChanges(p.values, fmt);
    if (changes) return changes;
  }
  if (link && e.type.startsWith('order.')) {
    return (
      <>
        {eventLabel(e.type)}: order {link}
      </>
    );
  }
  return fmt.text(e.summary).replace(/\.$/, '');
}

/** Context under the line, in words: previous and new tier, cause, the order (linked), the friend. */
function facts(e: ActivityEvent, refs: Refs, fmt: Formatter): { label: string; value: ReactNode }[] {
  const p = e.payload;
  const out: { label: string; value: ReactNode }[] = [];
  const tierChange = e.type === 'tier.changed' || e.type === 'customer.tier_changed';
  if (tierChange) {
    const from = str(p.previousTier) ?? (str(p.previousTierId) ? refs.tiers[str(p.previousTierId)!] : null);
    out.push({ label: 'Previous tier', value: from ?? 'No tier' });
    out.push({ label: 'New tier', value: str(p.tier) ?? (str(p.tierId) ? refs.tiers[str(p.tierId)!] : null) ?? '—' });
    if (str(p.cause)) out.push({ label: 'Cause', value: CAUSE[str(p.cause)!] ?? words(str(p.cause)!) });
  }
  const qualifying = str(p.qualifyingOrderId);
  if (qualifying) out.push({ label: 'Qualifying order', value: refs.orders[qualifying] ? <OrderLink order={{ id: qualifying, externalId: refs.orders[qualifying] }} /> : 'No longer available' });
  if (!tierChange && str(p.tier) && !e.type.startsWith('tier.')) out.push({ label: 'Tier', value: str(p.tier) });
  const friend = str(p.friendCustomerId);
  if (friend && friend !== e.id && e.type !== 'referral.joined') {
    out.push({ label: 'Friend', value: refs.customers[friend] ? <Anchor component={Link} to={`/customers/${friend}`} fz="inherit">{refs.customers[friend]}</Anchor> : 'A customer' });
  }
  const referrer = str(p.referrerCustomerId);
  if (referrer && e.type === 'referral.joined') {
    out.push({ label: 'Referred by', value: refs.customers[referrer] ? <Anchor component={Link} to={`/customers/${referrer}`} fz="inherit">{refs.customers[referrer]}</Anchor> : 'A customer' });
  }
  if (e.type === 'referral.completed' && str(p.orderId) && refs.orders[str(p.orderId)!]) out.push({ label: 'First order', value: <OrderLink order={{ id: str(p.orderId)!, externalId: refs.orders[str(p.orderId)!]! }} /> });
  if (str(p.code)) out.push({ label: 'Coupon', value: <Text span ff="monospace" fz="inherit">{str(p.code)}</Text> });
  if (str(p.expiresAt) && (e.type.startsWith('reward.') || e.type.startsWith('coupon.'))) out.push({ label: 'Valid until', value: fmt.date(str(p.expiresAt)) });
  if (str(p.status) && e.type.startsWith('order.')) out.push({ label: 'Status', value: words(str(p.status)!) });
  if (str(p.membershipType)) out.push({ label: 'Membership', value: words(str(p.membershipType)!) });
  if (int(p.balanceAfter) !== null) out.push({ label: 'Balance after', value: fmt.points(int(p.balanceAfter)) });
  if (e.type.startsWith('wallet.')) out.push(...walletMessageFacts(e));
  return out;
}

const WALLET_NAME: Record<string, string> = { apple: 'Apple Wallet', google: 'Google Wallet' };

/** Pushes, campaigns and loyalty card e-mails: the campaign, the platforms reached, the message. */
function walletMessageFacts(e: ActivityEvent): { label: string; value: ReactNode }[] {
  const p = e.payload;
  const out: { label: string; value: ReactNode }[] = [];
  if (str(p.campaignName)) out.push({ label: 'Campaign', value: str(p.campaignName) });
  const platforms = Array.isArray(p.platforms) ? p.platforms.filter((x): x is string => typeof x === 'string') : [];
  if (platforms.length > 0) out.push({ label: e.type === 'wallet.card_sent' ? 'Links for' : 'Platforms', value: platforms.map((x) => WALLET_NAME[x] ?? x).join(', ') });
  if (int(p.appleDevices)) out.push({ label: 'Apple devices', value: String(int(p.appleDevices)) });
  if (str(p.message) && e.type !== 'wallet.push_sent') out.push({ label: 'Message', value: str(p.message) });
  return out;
}

function Details({ event, refs }: { event: ActivityEvent; refs: Refs }) {
  const fmt = useFormat();
  const list = facts(event, refs, fmt);
  const explanation = str(event.payload.explanation);
  if (!list.length && !explanation) return null;
  return (
    <Stack gap={2} mt={4}>
      {list.length > 0 && (
        <Group gap="xs" data-testid="activity-facts">
          {list.map((f) => (
            <Text key={f.label} size="xs">
              <Text span size="xs" c="dimmed">
                {f.label}:{' '}
              </Text>
              {f.value}
            </Text>
          ))}
        </Group>
      )}
      {explanation && (
        <Text size="xs" c="dimmed">
          {fmt.text(explanation)}
        </Text>
      )}
    </Stack>
  );
}

export function ActivityTab({ customerId }: { customerId: string }) {
  const fmt = useFormat();
  const [groups, setGroups] = useState<string[]>([]);
  const types = ACTIVITY_TYPES.filter((g) => groups.includes(g.value)).flatMap((g) => g.types);
  const activity = useActivity(customerId, types);
  const items = activity.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <Group justify="space-between" mb="md" align="flex-end">
        <Text fw={600}>Activity timeline</Text>
        <MultiSelect aria-label="Filter by type" placeholder={groups.length ? undefined : 'All types'} data={ACTIVITY_TYPES.map(({ value, label }) => ({ value, label }))} value={groups} onChange={setGroups} clearable w={{ base: '100%', sm: 340 }} />
      </Group>
      {activity.isError && <ErrorAlert error={activity.error} onRetry={() => void activity.refetch()} />}
      {activity.isPending && (
        <Stack gap="sm">
          {Array.from({ length: 4 }, (_, i) => (
            <Skeleton key={i} h={48} />
          ))}
        </Stack>
      )}
      {activity.isSuccess && items.length === 0 && (
        <EmptyState icon="history" title={groups.length ? 'Nothing of these types' : 'No activity yet'}>
          Orders, points, coupons, tier and membership changes, notes and referrals all appear here, newest first.
        </EmptyState>
      )}
      {items.length > 0 && (
        <Timeline bulletSize={28} lineWidth={2} aria-label="Activity">
          {items.map((e) => (
            <Timeline.Item key={e.id} bullet={<Icon name={iconFor(e.type)} size={14} />} data-testid="activity-item">
              <Text size="sm" fw={500}>
                {title(e, e.refs ?? NO_REFS, fmt)}
              </Text>
              <Text size="xs" c="dimmed">
                {fmt.dateTime(e.createdAt)} · {actorName(e.actor)} · {eventLabel(e.type)}
              </Text>
              <Details event={e} refs={e.refs ?? NO_REFS} />
            </Timeline.Item>
          ))}
        </Timeline>
      )}
      {activity.hasNextPage && (
        <Center mt="md">
          <Button variant="light" onClick={() => void activity.fetchNextPage()} loading={activity.isFetchingNextPage}>
            Load more
          </Button>
        </Center>
      )}
    </Card>
  );
}

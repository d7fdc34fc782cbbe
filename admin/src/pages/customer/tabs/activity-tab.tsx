import { Badge, Button, Card, Center, Group, MultiSelect, Skeleton, Stack, Text, Timeline } from '@mantine/core';
import { useState } from 'react';
import type { ActivityEvent } from '../../../api/models.js';
import { useActivity } from '../../../api/profile.js';
import { EmptyState, ErrorAlert } from '../../../components/feedback.js';
import { Icon, type IconName } from '../../../components/icons.js';
import { useFormat } from '../../../lib/format.js';

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
];

function iconFor(type: string): IconName {
  return ACTIVITY_TYPES.find((g) => g.types.some((t) => (t.endsWith('.*') ? type.startsWith(t.slice(0, -1)) : type === t)))?.icon ?? 'history';
}

function Details({ event }: { event: ActivityEvent }) {
  const entries = Object.entries(event.payload ?? {}).filter(([, v]) => v !== null && v !== '' && typeof v !== 'object');
  if (!entries.length) return null;
  return (
    <Group gap={6} mt={4}>
      {entries.slice(0, 6).map(([k, v]) => (
        <Badge key={k} variant="outline" color="gray" size="sm" tt="none">
          {k}: {String(v as string | number | boolean)}
        </Badge>
      ))}
    </Group>
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
                {e.summary}
              </Text>
              <Text size="xs" c="dimmed">
                {fmt.dateTime(e.createdAt)} · {e.actor.name ?? e.actor.type} · {e.type}
              </Text>
              <Details event={e} />
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

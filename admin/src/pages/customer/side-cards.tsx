import { ActionIcon, Badge, Card, Group, Stack, Text, Title, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Customer } from '../../api/models.js';
import { Breakable } from '../../components/breakable.js';
import { Icon } from '../../components/icons.js';
import { useFormat } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';
import { MEMBERSHIP_COLOR, MEMBERSHIP_LABEL } from '../customers/grid-state.js';
import { useOpenDialog } from './customer-dialogs.js';
import { NOTE_LIMIT } from './dialogs/note-dialog.js';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" c="dimmed" style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" ta="right" component="div" style={{ minWidth: 0, overflowWrap: 'break-word' }}>
        {children}
      </Text>
    </Group>
  );
}

function CardTitle({ children, action }: { children: string; action?: ReactNode }) {
  return (
    <Group justify="space-between" mb="sm" mih={28}>
      <Title order={2} size="h5">
        {children}
      </Title>
      {action}
    </Group>
  );
}

export function IdentityCard({ customer }: { customer: Customer }) {
  const fmt = useFormat();
  return (
    <Card>
      <CardTitle>Identity and membership</CardTitle>
      <Stack gap={8}>
        <Row label="Membership">
          <Badge color={MEMBERSHIP_COLOR[customer.membershipType]} data-testid="membership-badge">
            {MEMBERSHIP_LABEL[customer.membershipType]}
          </Badge>
        </Row>
        <Row label="Email">
          <Group gap={6} justify="flex-end">
            {customer.email ? <Breakable text={customer.email} /> : '—'}
            {customer.email && (
              <Badge color={customer.emailVerified ? 'green' : 'gray'} size="sm">
                {customer.emailVerified ? 'Verified' : 'Unverified'}
              </Badge>
            )}
          </Group>
        </Row>
        <Row label="Phone">{customer.phone ?? '—'}</Row>
        <Row label="Store account">{customer.accountState === 'registered' ? 'Registered' : 'Guest checkout'}</Row>
        <Row label="Platform id">{customer.externalId ? <Breakable text={customer.externalId} /> : '—'}</Row>
        <Row label="Customer since">{fmt.date(customer.createdAt)}</Row>
        <Row label="Last activity">{fmt.dateTime(customer.lastActivityAt)}</Row>
        {customer.excludedFromReports && (
          <Row label="Reports">
            <Badge color="yellow">Excluded</Badge>
          </Row>
        )}
      </Stack>
    </Card>
  );
}

export function DatesCard({ customer }: { customer: Customer }) {
  const fmt = useFormat();
  const { can } = useSession();
  const open = useOpenDialog();
  const editable = can('customers:write') && !customer.anonymizedAt;
  return (
    <Card>
      <CardTitle
        action={
          editable && (
            <ActionIcon variant="subtle" aria-label="Edit birthday and anniversary" onClick={() => open({ kind: 'dates' })}>
              <Icon name="edit" size={16} />
            </ActionIcon>
          )
        }
      >
        Dates
      </CardTitle>
      <Stack gap={8}>
        <Row label="Birthday">{fmt.calendarDate(customer.birthday)}</Row>
        <Row label="Anniversary">{fmt.calendarDate(customer.anniversary)}</Row>
      </Stack>
    </Card>
  );
}

export function NotesCard({ customer }: { customer: Customer }) {
  const fmt = useFormat();
  const { can } = useSession();
  const open = useOpenDialog();
  const note = customer.note;
  return (
    <Card>
      <CardTitle
        action={
          can('customers:write') &&
          !customer.anonymizedAt && (
            <ActionIcon variant="subtle" aria-label="Edit note" onClick={() => open({ kind: 'note' })}>
              <Icon name="edit" size={16} />
            </ActionIcon>
          )
        }
      >
        Notes
      </CardTitle>
      {note?.text ? (
        <Stack gap={6}>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} lineClamp={8} data-testid="note-text">
            {note.text}
          </Text>
          <Text size="xs" c="dimmed">
            {note.text.length.toLocaleString()} / {NOTE_LIMIT.toLocaleString()} · updated {fmt.dateTime(note.updatedAt)}
            {note.updatedBy ? ` by ${note.updatedBy}` : ''}
          </Text>
        </Stack>
      ) : (
        <Text size="sm" c="dimmed">
          No internal note. Notes are for your team only.
        </Text>
      )}
    </Card>
  );
}

const PREFS: [keyof Customer['notificationPreferences'], string][] = [
  ['balance', 'Balance changes'],
  ['location', 'Near a store'],
  ['marketing', 'Marketing'],
  ['tier', 'Tier changes'],
  ['rewardAvailable', 'Reward available'],
];

export function PreferencesCard({ customer }: { customer: Customer }) {
  return (
    <Card>
      <CardTitle
        action={
          <Tooltip label="Set by the customer; staff cannot change them">
            <Badge variant="outline" color="gray" size="sm">
              Read only
            </Badge>
          </Tooltip>
        }
      >
        Notification preferences
      </CardTitle>
      <Stack gap={6}>
        {PREFS.map(([key, label]) => {
          const on = customer.notificationPreferences[key];
          return (
            <Group key={key} justify="space-between">
              <Text size="sm">{label}</Text>
              <Group gap={4} c={on ? 'var(--patron-positive)' : 'gray.7'}>
                <Icon name={on ? 'bell' : 'bellOff'} size={15} />
                <Text size="sm">{on ? 'On' : 'Paused'}</Text>
              </Group>
            </Group>
          );
        })}
      </Stack>
    </Card>
  );
}

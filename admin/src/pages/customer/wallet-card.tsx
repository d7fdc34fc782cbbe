import { Badge, Button, Card, Group, Modal, SimpleGrid, Skeleton, Stack, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import type { Customer } from '../../api/models.js';
import { customerScope } from '../../api/profile.js';
import { PUSH_MESSAGE_LIMIT, sendLoyaltyCard, sendPush, useCustomerPushes, useWalletSummary, walletKeys } from '../../api/wallet.js';
import { ErrorAlert } from '../../components/feedback.js';
import { useFormat } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';
import { useAction } from '../../lib/use-action.js';

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={700} className="patron-tabular" data-testid={testId}>
        {value}
      </Text>
    </Stack>
  );
}

function SendPushDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const [message, setMessage] = useState('');
  const [touched, setTouched] = useState(false);
  const trimmed = message.trim();
  const over = trimmed.length > PUSH_MESSAGE_LIMIT;
  const empty = trimmed.length === 0;
  const action = useAction({
    run: (m: string, key) => sendPush(customer.id, m, key),
    invalidate: [customerScope(customer.id)],
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'Push created: it is sent to the customer’s wallet passes within seconds.' });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!over && !empty) void action.submit(trimmed);
  };
  return (
    <Modal opened onClose={onClose} title="Send push" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="xs">
          <ErrorAlert error={action.error} />
          <Textarea
            label="Message"
            description="Shown on the customer’s wallet pass: Apple Wallet updates the pass with it, Google Wallet adds it as a message"
            value={message}
            onChange={(e) => setMessage(e.currentTarget.value)}
            autosize
            minRows={3}
            maxRows={8}
            error={over ? `A push is limited to ${PUSH_MESSAGE_LIMIT} characters` : touched && empty ? 'Write the message the customer will see' : null}
            data-autofocus
          />
          <Text size="xs" c={over ? 'var(--patron-negative)' : 'dimmed'} ta="right" aria-live="polite" data-testid="push-count">
            {trimmed.length} / {PUSH_MESSAGE_LIMIT} characters
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending} disabled={over}>
              Send push
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

const PUSH_STATUS: Record<string, { label: string; color: string }> = {
  created: { label: 'Sending', color: 'blue' },
  sent: { label: 'Sent', color: 'green' },
  failed: { label: 'Failed', color: 'red' },
  skipped: { label: 'Skipped', color: 'gray' },
};

/**
 * The customer's wallet pass: actual balance, pushes sent, clicks (taps), where the pass is
 * kept (Apple devices, Google saved), the last pushes, and the actions "Send loyalty card"
 * and "Send push".
 */
export function WalletCard({ customer }: { customer: Customer }) {
  const fmt = useFormat();
  const { can } = useSession();
  const pushes = useCustomerPushes(customer.id);
  const following = pushes.data?.items.some((p) => p.status === 'created') ?? false;
  const summary = useWalletSummary(customer.id, { following });
  const [pushOpen, setPushOpen] = useState(false);
  const card = useAction({
    run: (_: null, key) => sendLoyaltyCard(customer.id, key),
    invalidate: [customerScope(customer.id), walletKeys.summary(customer.id)],
    onSuccess: (r) => notifications.show({ color: 'green', message: `Loyalty card sent to ${r.to}.` }),
  });
  const s = summary.data;
  const configured = s ? s.apple.configured || s.google.configured : false;
  const canSend = can('customers:write') && !customer.anonymizedAt && customer.membershipType === 'member' && configured;
  return (
    <Card data-testid="wallet-card">
      <Group justify="space-between" mb="sm" mih={28}>
        <Title order={2} size="h5">
          Wallet
        </Title>
      </Group>
      <Stack gap="sm">
        {summary.isPending && <Skeleton h={72} />}
        {summary.isError && <ErrorAlert error={summary.error} onRetry={() => void summary.refetch()} />}
        {s && (
          <>
            <SimpleGrid cols={3} spacing="xs">
              <Figure label="Actual balance" value={fmt.points(s.balance)} testId="wallet-balance" />
              <Figure label="Pushes sent" value={String(s.pushesSent)} testId="wallet-pushes-sent" />
              <Figure label="Clicks" value={String(s.clicks)} testId="wallet-clicks" />
            </SimpleGrid>
            <Stack gap={4} data-testid="wallet-platforms">
              <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                Platform passes
              </Text>
              <Group justify="space-between" gap="xs">
                <Text size="sm">Apple Wallet</Text>
                {s.apple.configured ? (
                  <Badge color={s.apple.devices > 0 ? 'green' : 'gray'} variant="light" data-testid="wallet-apple">
                    {s.apple.devices} {s.apple.devices === 1 ? 'device' : 'devices'}
                  </Badge>
                ) : (
                  <Text size="xs" c="dimmed">
                    Not set up
                  </Text>
                )}
              </Group>
              <Group justify="space-between" gap="xs">
                <Text size="sm">Google Wallet</Text>
                {s.google.configured ? (
                  <Badge color={s.google.saved ? 'green' : 'gray'} variant="light" data-testid="wallet-google">
                    {s.google.saved ? 'Saved' : 'Not saved'}
                  </Badge>
                ) : (
                  <Text size="xs" c="dimmed">
                    Not set up
                  </Text>
                )}
              </Group>
              <Text size="xs" c="dimmed" data-testid="wallet-scans">
                {s.pushesFailed > 0 ? `${s.pushesFailed} ${s.pushesFailed === 1 ? 'push' : 'pushes'} failed · ` : ''}
                {s.scans} {s.scans === 1 ? 'scan' : 'scans'}
                {s.lastScanAt ? ` · last ${fmt.dateTime(s.lastScanAt)}` : ''}
              </Text>
            </Stack>
            {!configured && (
              <Text size="xs" c="dimmed">
                No wallet platform is set up for this organization yet: passes, loyalty card e-mails and pushes need Apple Wallet or Google Wallet.
              </Text>
            )}
          </>
        )}
        {pushes.data && pushes.data.items.length > 0 && (
          <Stack gap={4} data-testid="wallet-recent-pushes">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              Recent pushes
            </Text>
            {pushes.data.items.map((p) => (
              <Stack key={p.id} gap={0} data-testid="wallet-push">
                <Group justify="space-between" gap="xs" wrap="nowrap">
                  <Text size="sm" lineClamp={1}>
                    {fmt.text(p.message)}
                  </Text>
                  <Badge size="sm" color={PUSH_STATUS[p.status]?.color ?? 'gray'}>
                    {PUSH_STATUS[p.status]?.label ?? p.status}
                  </Badge>
                </Group>
                <Text size="xs" c={p.status === 'failed' ? 'red.8' : 'dimmed'}>
                  {fmt.relative(p.createdAt)}
                  {p.campaignName ? ` · campaign ${p.campaignName}` : ''}
                  {p.reason ? ` · ${p.reason}` : ''}
                </Text>
              </Stack>
            ))}
          </Stack>
        )}
        <ErrorAlert error={card.error} />
        {canSend && (
          <Group gap="xs">
            <Button size="compact-sm" variant="light" loading={card.pending} onClick={() => void card.submit(null)} disabled={!customer.email}>
              Send loyalty card
            </Button>
            <Button size="compact-sm" variant="light" onClick={() => setPushOpen(true)}>
              Send push
            </Button>
          </Group>
        )}
        {canSend && !customer.email && (
          <Text size="xs" c="dimmed">
            Add an e-mail address to send the loyalty card.
          </Text>
        )}
      </Stack>
      {pushOpen && <SendPushDialog customer={customer} onClose={() => setPushOpen(false)} />}
    </Card>
  );
}

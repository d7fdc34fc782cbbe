import { Alert, Anchor, Badge, Button, Card, Checkbox, Code, Group, Progress, SimpleGrid, Skeleton, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import {
  disconnectShopify,
  retryDelivery,
  shopifyKeys,
  startBackfill,
  useDataRequests,
  useFailedDeliveries,
  useShopifySettings,
  type ShopifyBackfill,
  type ShopifySettings,
} from '../../api/shopify.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { EmptyState, ErrorAlert } from '../../components/feedback.js';
import { PageHeader } from '../../components/page-header.js';
import { useFormat } from '../../lib/format.js';
import { useAction } from '../../lib/use-action.js';

const STATUS: Record<ShopifySettings['status'], { label: string; color: string }> = {
  not_connected: { label: 'Not connected', color: 'gray' },
  installing: { label: 'Installing', color: 'blue' },
  connected: { label: 'Connected', color: 'green' },
  uninstalled: { label: 'Uninstalled', color: 'red' },
  disconnected: { label: 'Disconnected', color: 'gray' },
};

function Row({ label, children }: { label: string; children: React.ReactNode }) {
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

function ConnectionCard({ s }: { s: ShopifySettings }) {
  const fmt = useFormat();
  const [confirm, setConfirm] = useState(false);
  const action = useAction({
    run: (_: null, key) => disconnectShopify(key),
    invalidate: [shopifyKeys.settings],
    onSuccess: () => {
      setConfirm(false);
      notifications.show({ color: 'green', message: 'The store is disconnected: Patron no longer calls it and refuses its webhooks.' });
    },
  });
  const status = STATUS[s.status];
  const failedSubscriptions = s.subscriptions.filter((x) => x.error !== null);
  return (
    <Card data-testid="shopify-connection">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5">
          Connection
        </Title>
        <Badge color={status.color} data-testid="shopify-status">
          {status.label}
        </Badge>
      </Group>
      {s.status === 'uninstalled' && (
        <Alert color="red" mb="sm" title="The app was uninstalled from the store" data-testid="shopify-uninstalled">
          {s.statusReason ?? 'Patron no longer calls the store.'} Rewards are not created as discount codes until the store is connected again.
        </Alert>
      )}
      {s.status === 'not_connected' ? (
        <Text size="sm">
          Connect a store with <Code>patron shopify connect</Code> (a token the merchant already holds) or <Code>patron shopify install</Code> (the merchant's own app). See the Shopify guide
          in the documentation.
        </Text>
      ) : (
        <Stack gap={8}>
          <Row label="Shop">{s.shop}</Row>
          <Row label="Scopes">{s.scopes.length ? s.scopes.join(', ') : '—'}</Row>
          <Row label="Customer accounts">{s.customerAccounts === 'new' ? 'New customer accounts' : s.customerAccounts === 'classic' ? 'Classic accounts' : 'Unknown'}</Row>
          <Row label="Webhook subscriptions">
            {s.subscriptions.length === 0 ? 'None registered' : `${s.subscriptions.length - failedSubscriptions.length} of ${s.subscriptions.length} registered`}
          </Row>
          {failedSubscriptions.map((x) => (
            <Text key={x.topic} size="xs" c="red.8">
              {x.topic}: {fmt.text(x.error ?? '')}
            </Text>
          ))}
          <Row label="Last webhook received">
            <span data-testid="shopify-last-webhook">{s.lastWebhookAt ? fmt.dateTime(s.lastWebhookAt) : 'None yet'}</span>
          </Row>
          <Row label="Connected">{fmt.dateTime(s.connectedAt)}</Row>
          {s.statusReason && s.status !== 'uninstalled' && <Row label="Note">{fmt.text(s.statusReason)}</Row>}
        </Stack>
      )}
      {s.status !== 'not_connected' && s.status !== 'disconnected' && (
        <Group justify="flex-end" mt="md">
          <Button color="red" variant="light" onClick={() => setConfirm(true)}>
            Disconnect
          </Button>
        </Group>
      )}
      {confirm && (
        <ConfirmDialog
          title={`Disconnect ${s.shop ?? 'the store'}?`}
          confirmLabel="Disconnect"
          color="red"
          pending={action.pending}
          error={action.error}
          onConfirm={() => void action.submit(null)}
          onClose={() => {
            setConfirm(false);
            action.clear();
          }}
        >
          The access token and client secret are deleted: Patron stops calling the store, refuses its webhooks and creates no more discount codes until the store is connected again.
          Customers, orders and points stay.
        </ConfirmDialog>
      )}
    </Card>
  );
}

function BackfillProgress({ b }: { b: ShopifyBackfill }) {
  const fmt = useFormat();
  const running = b.status === 'queued' || b.status === 'running';
  return (
    <Stack gap={6} data-testid="shopify-backfill">
      <Group justify="space-between">
        <Text size="sm" fw={600}>
          {running ? `Reading ${b.phase} from the store…` : b.status === 'done' ? 'Last backfill finished' : 'Last backfill stopped'}
        </Text>
        <Badge color={b.status === 'done' ? 'green' : b.status === 'failed' ? 'red' : 'blue'} data-testid="shopify-backfill-status">
          {b.status}
        </Badge>
      </Group>
      {running && <Progress value={b.phase === 'customers' ? 33 : 66} animated aria-label="Backfill progress" />}
      <Text size="sm" data-testid="shopify-backfill-counts">
        {fmt.number(b.customers)} customers, {fmt.number(b.orders)} orders read ({fmt.number(b.ordersCreated)} new){b.awardPoints ? `, ${fmt.points(b.pointsAwarded)} awarded` : ', no points for history'}
      </Text>
      <Text size="xs" c="dimmed">
        Started {fmt.dateTime(b.createdAt)} by {b.startedBy}
        {b.since ? ` · since ${fmt.date(b.since)}` : ''}
        {b.finishedAt ? ` · finished ${fmt.dateTime(b.finishedAt)}` : ''}
      </Text>
      {b.error && (
        <Text size="xs" c="red.8">
          {fmt.text(b.error)}
        </Text>
      )}
    </Stack>
  );
}

function BackfillCard({ s }: { s: ShopifySettings }) {
  const [since, setSince] = useState('');
  const [award, setAward] = useState(false);
  const action = useAction({
    run: (body: { since?: string; awardPoints: boolean }, key) => startBackfill(body, key),
    invalidate: [shopifyKeys.settings],
    onSuccess: () => notifications.show({ color: 'green', message: 'Backfill started: customers first, then orders.' }),
  });
  const running = s.backfill && (s.backfill.status === 'queued' || s.backfill.status === 'running');
  const sinceError = since && !/^\d{4}-\d{2}-\d{2}$/.test(since) ? 'Give a date as YYYY-MM-DD, or leave empty for the whole history' : null;
  return (
    <Card>
      <Title order={2} size="h5" mb="xs">
        Backfill
      </Title>
      <Text size="sm" mb="sm">
        Imports the store's existing customers and orders. Running it again changes nothing already imported. Historical orders earn points only when you tick the box.
      </Text>
      <Stack>
        <ErrorAlert error={action.error} title="The backfill did not start" />
        {s.backfill && <BackfillProgress b={s.backfill} />}
        <Group align="flex-end">
          <TextInput label="Since (optional)" placeholder="2026-01-01" value={since} onChange={(e) => setSince(e.currentTarget.value.trim())} error={sinceError} w={180} />
          <Checkbox label="Historical orders earn points" checked={award} onChange={(e) => setAward(e.currentTarget.checked)} mb={8} />
          <Button
            onClick={() => void action.submit({ ...(since ? { since } : {}), awardPoints: award })}
            loading={action.pending}
            disabled={s.status !== 'connected' || !!running || !!sinceError}
            data-testid="shopify-backfill-start"
          >
            Backfill from the store
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function DeliveriesCard({ s }: { s: ShopifySettings }) {
  const fmt = useFormat();
  const failed = useFailedDeliveries(s.deliveries.failed > 0);
  const action = useAction({
    run: (id: string, key) => retryDelivery(id, key),
    invalidate: [shopifyKeys.failed, shopifyKeys.settings],
    onSuccess: () => notifications.show({ color: 'green', message: 'Delivery queued again.' }),
  });
  return (
    <Card p={0}>
      <Group justify="space-between" p="md" pb="xs">
        <Title order={2} size="h5">
          Webhook deliveries
        </Title>
        <Text size="sm" c="dimmed" data-testid="shopify-delivery-counts">
          {fmt.number(s.deliveries.processed)} processed · {fmt.number(s.deliveries.received)} waiting · {fmt.number(s.deliveries.failed)} failed
        </Text>
      </Group>
      <ErrorAlert error={action.error ?? failed.error} />
      {s.deliveries.failed === 0 ? (
        <EmptyState icon="check" title="No failed deliveries">
          Every webhook the store sent was applied.
        </EmptyState>
      ) : (
        <Table verticalSpacing="sm" aria-label="Failed deliveries" layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="22%">Topic</Table.Th>
              <Table.Th>Error</Table.Th>
              <Table.Th w="20%">Received</Table.Th>
              <Table.Th w={96} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {failed.isPending && (
              <Table.Tr>
                <Table.Td colSpan={4}>
                  <Skeleton h={24} />
                </Table.Td>
              </Table.Tr>
            )}
            {failed.data?.items.map((w) => (
              <Table.Tr key={w.id} data-testid="shopify-failed-delivery">
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {w.topic}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {w.attempts} attempt{w.attempts === 1 ? '' : 's'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {fmt.text(w.error ?? '')}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{fmt.dateTime(w.receivedAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Button size="compact-sm" variant="light" onClick={() => void action.submit(w.id)} aria-label={`Retry ${w.topic} delivery`}>
                    Retry
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

function DataRequestsCard({ s }: { s: ShopifySettings }) {
  const fmt = useFormat();
  const requests = useDataRequests(s.status !== 'not_connected');
  if (!requests.data || requests.data.items.length === 0) return null;
  return (
    <Card p={0}>
      <Title order={2} size="h5" p="md" pb="xs">
        Customer data requests
      </Title>
      <Table verticalSpacing="xs" aria-label="Customer data requests">
        <Table.Tbody>
          {requests.data.items.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>
                <Text size="sm">Shopify customer {r.shopifyCustomerId ?? 'unknown'}</Text>
                <Text size="xs" c="dimmed">
                  {fmt.dateTime(r.createdAt)}
                </Text>
              </Table.Td>
              <Table.Td>
                {r.status === 'ready' ? (
                  <Anchor href={`/api/v1/integrations/shopify/data-requests/${r.id}/export.json`} size="sm" download>
                    Download the export
                  </Anchor>
                ) : (
                  <Text size="sm" c="dimmed">
                    {r.status === 'pending' ? 'Being prepared' : fmt.text(r.error ?? 'No data held')}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

/** Settings → Shopify: the connected store, its webhook deliveries (failed ones retried here), backfill and data requests. */
export function ShopifySettingsPage() {
  const settings = useShopifySettings();
  return (
    <>
      <PageHeader title="Shopify" description="The connected store: its customers, orders and refunds arrive by signed webhooks, and rewards become discount codes at its checkout." />
      {settings.isError && <ErrorAlert error={settings.error} onRetry={() => void settings.refetch()} />}
      {settings.isPending && <Skeleton h={240} />}
      {settings.data && (
        <Stack>
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <ConnectionCard s={settings.data} />
            {settings.data.status !== 'not_connected' && <BackfillCard s={settings.data} />}
          </SimpleGrid>
          {settings.data.status !== 'not_connected' && <DeliveriesCard s={settings.data} />}
          <DataRequestsCard s={settings.data} />
        </Stack>
      )}
    </>
  );
}

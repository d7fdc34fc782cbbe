import { Alert, Anchor, Badge, Button, Card, Checkbox, Code, Group, Modal, MultiSelect, SimpleGrid, Stack, Switch, Table, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Fragment, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  createEndpoint,
  deleteEndpoint,
  redeliver,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
  useEventTypes,
  useWebhookDeliveries,
  useWebhookEndpoints,
  webhookDeliveriesKey,
  webhookEndpointsKey,
  type EndpointBody,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../../api/webhooks.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { EmptyState, ErrorAlert } from '../../components/feedback.js';
import { Icon } from '../../components/icons.js';
import { PageHeader } from '../../components/page-header.js';
import { SecretShownOnce, SettingsTable } from '../../components/settings-table.js';
import { useFormat } from '../../lib/format.js';
import { useAction } from '../../lib/use-action.js';

function SigningSecretHelp() {
  return (
    <>
      This is the only time Patron shows it. Your receiver verifies each webhook&apos;s <Code>webhook-signature</Code> with it (Standard Webhooks).
    </>
  );
}

/** Create or edit an endpoint: URL, description, events (all or a list). */
function EndpointDialog({ endpoint, onClose, onCreated }: { endpoint?: WebhookEndpoint; onClose: () => void; onCreated?: (secret: string) => void }) {
  const types = useEventTypes();
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [all, setAll] = useState(!endpoint || endpoint.events.includes('*'));
  const [events, setEvents] = useState<string[]>(endpoint && !endpoint.events.includes('*') ? endpoint.events : []);
  const [touched, setTouched] = useState(false);
  const action = useAction({
    run: (body: EndpointBody & { url: string }, key) =>
      endpoint ? updateEndpoint(endpoint.id, body, key).then(() => null) : createEndpoint(body, key).then((r) => r.secret),
    invalidate: [webhookEndpointsKey],
    onSuccess: (secret) => {
      if (secret) onCreated?.(secret);
      else {
        notifications.show({ color: 'green', message: 'Endpoint saved.' });
        onClose();
      }
    },
  });
  const urlError = touched && !/^https?:\/\/\S+$/i.test(url.trim()) ? 'Give the full address, e.g. https://example.com/webhooks/patron' : null;
  const eventsError = touched && !all && events.length === 0 ? 'Pick at least one event, or receive all events' : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!/^https?:\/\/\S+$/i.test(url.trim()) || (!all && events.length === 0)) return;
    void action.submit({ url: url.trim(), description: description.trim(), events: all ? ['*'] : events });
  };
  return (
    <Modal opened onClose={onClose} title={endpoint ? 'Edit webhook endpoint' : 'Add a webhook endpoint'} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error} title={endpoint ? 'The endpoint was not saved' : 'The endpoint was not added'} />
          <TextInput
            label="URL"
            description="Patron POSTs each event here as JSON. Use https; private and local addresses are refused unless the operator allows them."
            placeholder="https://example.com/webhooks/patron"
            required
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={urlError}
            data-autofocus
          />
          <TextInput label="Description (optional)" placeholder="Order system" value={description} onChange={(e) => setDescription(e.currentTarget.value)} maxLength={500} />
          <Checkbox label="Receive all events (also events added later)" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />
          {!all && (
            <MultiSelect
              label="Events"
              placeholder={types.isPending ? 'Loading the event list…' : 'Pick events'}
              data={(types.data ?? []).map((t) => ({ value: t.type, label: t.type }))}
              value={events}
              onChange={setEvents}
              searchable
              error={eventsError ?? (types.isError ? 'The event list could not be loaded; reload the page' : null)}
            />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending}>
              {endpoint ? 'Save' : 'Add endpoint'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function StatusBadge({ status }: { status: WebhookDelivery['status'] }) {
  const color = status === 'delivered' ? 'green' : status === 'failed' ? 'red' : 'blue';
  const label = status === 'delivered' ? 'Delivered' : status === 'failed' ? 'Failed' : 'Pending';
  return <Badge color={color}>{label}</Badge>;
}

function DeliveryAttempts({ delivery }: { delivery: WebhookDelivery }) {
  const fmt = useFormat();
  return (
    <Stack gap="xs" p="xs" data-testid="delivery-attempts">
      <Table withTableBorder verticalSpacing={4} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Attempt</Table.Th>
            <Table.Th>Time</Table.Th>
            <Table.Th>Response</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th>Response body or error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {delivery.attempts.map((a) => (
            <Table.Tr key={a.attempt}>
              <Table.Td>
                {a.attempt}
                {a.manual && (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    (manual)
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{fmt.dateTime(a.startedAt)}</Table.Td>
              <Table.Td>
                <Badge color={a.outcome === 'delivered' ? 'green' : 'red'} variant="light">
                  {a.responseStatus ?? 'no answer'}
                </Badge>
              </Table.Td>
              <Table.Td>{a.durationMs} ms</Table.Td>
              <Table.Td maw={420}>
                <Text size="xs" style={{ wordBreak: 'break-word' }}>
                  {a.error && a.outcome === 'failed' && a.responseStatus === null ? a.error : a.responseExcerpt || a.error || '—'}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {delivery.status === 'pending' && delivery.nextAttemptAt && <Text size="xs">Next attempt {fmt.dateTime(delivery.nextAttemptAt)}</Text>}
      <Text size="xs" c="dimmed">
        Body sent
      </Text>
      <Code block>{delivery.body}</Code>
    </Stack>
  );
}

function DeliveryLog({ endpoint }: { endpoint: WebhookEndpoint }) {
  const fmt = useFormat();
  const deliveries = useWebhookDeliveries(endpoint.id);
  const [open, setOpen] = useState<string | null>(null);
  const again = useAction({
    run: (deliveryId: string, key) => redeliver(endpoint.id, deliveryId, key),
    invalidate: [webhookDeliveriesKey(endpoint.id), webhookEndpointsKey],
    onSuccess: (d) => {
      setOpen(d.id);
      notifications.show({ color: d.status === 'delivered' ? 'green' : 'red', message: d.status === 'delivered' ? 'Redelivered.' : `Redelivery failed: ${d.lastError ?? 'no answer'}` });
    },
  });
  return (
    <Card p={0}>
      <Group justify="space-between" p="md">
        <Title order={2} size="h5">
          Delivery log
        </Title>
        <Text size="xs" c="dimmed">
          Newest first; retried for about a day with growing waits
        </Text>
      </Group>
      <ErrorAlert error={deliveries.error ?? again.error} />
      {deliveries.data?.items.length === 0 && (
        <EmptyState icon="history" title="Nothing sent yet">
          Events appear here as they are sent. Use “Send test event” to try the endpoint.
        </EmptyState>
      )}
      {(deliveries.isPending || !!deliveries.data?.items.length) && (
        <SettingsTable columns={['Time', 'Event', 'Status', 'Attempts', 'Last response', null]} minWidth={760} loading={deliveries.isPending} spacing="xs" testId="delivery-log">
{deliveries.data?.items.map((d) => (
            <Fragment key={d.id}>
              <Table.Tr>
                <Table.Td>
                  <UnstyledButton onClick={() => setOpen(open === d.id ? null : d.id)} aria-expanded={open === d.id} aria-label={`Attempts of ${d.eventType} at ${fmt.dateTime(d.createdAt)}`}>
                    <Group gap={4} wrap="nowrap">
                      <Icon name={open === d.id ? 'chevronUp' : 'chevronDown'} size={14} />
                      <Text size="sm">{fmt.dateTime(d.createdAt)}</Text>
                    </Group>
                  </UnstyledButton>
                </Table.Td>
                <Table.Td>
                  <Code>{d.eventType}</Code>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={d.status} />
                </Table.Td>
                <Table.Td>{d.attemptCount}</Table.Td>
                <Table.Td>
                  <Text size="sm">{d.lastResponseStatus ?? (d.lastError ? 'no answer' : '—')}</Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Button size="compact-sm" variant="subtle" loading={again.pending} disabled={!endpoint.enabled && d.kind !== 'test'} onClick={() => void again.submit(d.id)}>
                    Redeliver
                  </Button>
                </Table.Td>
              </Table.Tr>
              {open === d.id && (
                <Table.Tr>
                  <Table.Td colSpan={6} bg="gray.0">
                    <DeliveryAttempts delivery={d} />
                  </Table.Td>
                </Table.Tr>
              )}
            </Fragment>
          ))}
        </SettingsTable>
      )}
    </Card>
  );
}

function EndpointDetail({ endpoint, onBack }: { endpoint: WebhookEndpoint; onBack: () => void }) {
  const fmt = useFormat();
  const [editing, setEditing] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [rotated, setRotated] = useState<{ secret: string; until: string } | null>(null);
  const toggle = useAction({ run: (enabled: boolean, key) => updateEndpoint(endpoint.id, { enabled }, key), invalidate: [webhookEndpointsKey, webhookDeliveriesKey(endpoint.id)] });
  const test = useAction({
    run: (_: null, key) => sendTestEvent(endpoint.id, key),
    invalidate: [webhookDeliveriesKey(endpoint.id), webhookEndpointsKey],
    onSuccess: (d) =>
      notifications.show({
        color: d.status === 'delivered' ? 'green' : 'red',
        message: d.status === 'delivered' ? `Test event delivered (HTTP ${d.lastResponseStatus}).` : `Test event failed: ${d.lastError ?? 'no answer'}`,
      }),
  });
  const rotate = useAction({
    run: (_: null, key) => rotateSecret(endpoint.id, key),
    invalidate: [webhookEndpointsKey],
    onSuccess: (r) => {
      setRotating(false);
      setRotated({ secret: r.secret, until: r.previousSecretExpiresAt });
    },
  });
  const remove = useAction({
    run: (_: null, key) => deleteEndpoint(endpoint.id, key),
    invalidate: [webhookEndpointsKey],
    onSuccess: () => {
      notifications.show({ message: 'Endpoint deleted with its delivery log.' });
      onBack();
    },
  });
  return (
    <Stack>
      <Card>
        <Stack>
          <Group justify="space-between" align="flex-start">
            <Stack gap={2} style={{ minWidth: 0 }}>
              <Group gap="xs">
                <Title order={2} size="h4" style={{ wordBreak: 'break-all' }}>
                  {endpoint.url}
                </Title>
                <Badge color={endpoint.enabled ? 'green' : 'gray'} data-testid="endpoint-status">
                  {endpoint.enabled ? 'Enabled' : 'Disabled'}
                </Badge>
              </Group>
              {endpoint.description && <Text size="sm">{endpoint.description}</Text>}
            </Stack>
            <Switch label="Enabled" checked={endpoint.enabled} disabled={toggle.pending} onChange={(e) => void toggle.submit(e.currentTarget.checked)} />
          </Group>
          <ErrorAlert error={toggle.error ?? test.error} />
          {!endpoint.enabled && endpoint.disabledReason && (
            <Alert color="red" icon={<Icon name="alert" />} title={`Disabled ${fmt.relative(endpoint.disabledAt)}`} data-testid="endpoint-disabled-reason">
              {endpoint.disabledReason}
            </Alert>
          )}
          {endpoint.enabled && endpoint.failingSince && (
            <Alert color="yellow" icon={<Icon name="alert" />}>
              Every attempt has failed since {fmt.dateTime(endpoint.failingSince)}. After 24 hours of failures Patron disables the endpoint.
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Text size="sm">Events: {endpoint.events.includes('*') ? 'all events' : endpoint.events.join(', ')}</Text>
            <Text size="sm">
              Deliveries: {endpoint.deliveries.delivered} delivered, {endpoint.deliveries.pending} pending, {endpoint.deliveries.failed} failed
            </Text>
            <Text size="sm">Last success {endpoint.lastSuccessAt ? fmt.relative(endpoint.lastSuccessAt) : 'never'}</Text>
            <Text size="sm">Last failure {endpoint.lastFailureAt ? fmt.relative(endpoint.lastFailureAt) : 'never'}</Text>
            {endpoint.previousSecretExpiresAt && <Text size="sm">The previous secret also signs until {fmt.dateTime(endpoint.previousSecretExpiresAt)}</Text>}
          </SimpleGrid>
          <Group>
            <Button variant="light" leftSection={<Icon name="bolt" size={16} />} loading={test.pending} onClick={() => void test.submit(null)}>
              Send test event
            </Button>
            <Button variant="default" leftSection={<Icon name="edit" size={16} />} onClick={() => setEditing(true)}>
              Edit
            </Button>
            <Button variant="default" leftSection={<Icon name="key" size={16} />} onClick={() => setRotating(true)}>
              Rotate secret
            </Button>
            <Button variant="subtle" color="red" leftSection={<Icon name="trash" size={16} />} onClick={() => setDeleting(true)}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Card>
      <DeliveryLog endpoint={endpoint} />
      {editing && <EndpointDialog endpoint={endpoint} onClose={() => setEditing(false)} />}
      {rotating && (
        <ConfirmDialog
          title="Rotate the signing secret?"
          confirmLabel="Rotate secret"
          pending={rotate.pending}
          error={rotate.error}
          onConfirm={() => void rotate.submit(null)}
          onClose={() => setRotating(false)}
        >
          Patron creates a new secret. For 24 hours every webhook carries two signatures, one with each secret, so you can update your receiver without losing an event.
        </ConfirmDialog>
      )}
      {rotated && (
        <SecretShownOnce
          title="New signing secret"
          alertTitle="Copy the signing secret now"
          secret={rotated.secret}
          testId="webhook-secret"
          note={<Text size="sm">The previous secret keeps signing alongside this one until {fmt.dateTime(rotated.until)}.</Text>}
          onClose={() => setRotated(null)}
        >
          <SigningSecretHelp />
        </SecretShownOnce>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete this endpoint?"
          confirmLabel="Delete endpoint"
          color="red"
          pending={remove.pending}
          error={remove.error}
          onConfirm={() => void remove.submit(null)}
          onClose={() => setDeleting(false)}
        >
          Patron stops sending to it at once and deletes its delivery log. This cannot be undone.
        </ConfirmDialog>
      )}
    </Stack>
  );
}

export function WebhooksPage() {
  const endpoints = useWebhookEndpoints();
  const fmt = useFormat();
  const [params, setParams] = useSearchParams();
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const selectedId = params.get('endpoint');
  const selected = endpoints.data?.find((e) => e.id === selectedId);
  const select = (id: string | null) => setParams(id ? { endpoint: id } : {});
  const add = (
    <Button leftSection={<Icon name="plus" size={16} />} onClick={() => setAdding(true)}>
      Add endpoint
    </Button>
  );
  const description = (
    <>
      Patron sends each event your endpoints subscribe to as a signed POST (Standard Webhooks), retried for about a day.{' '}
      <Anchor href="/api/docs" target="_blank" underline="always">
        Event types and bodies
      </Anchor>
    </>
  );
  if (selected) {
    return (
      <>
        <PageHeader
          title="Webhook endpoint"
          before={
            <Anchor component="button" type="button" size="sm" onClick={() => select(null)}>
              ← All endpoints
            </Anchor>
          }
        />
        <EndpointDetail endpoint={selected} onBack={() => select(null)} />
      </>
    );
  }
  return (
    <>
      <PageHeader title="Webhooks" description={description} actions={add} />
      <Card p={0}>
        {endpoints.isError && <ErrorAlert error={endpoints.error} onRetry={() => void endpoints.refetch()} />}
        {selectedId && endpoints.data && !selected && (
          <Alert color="yellow" m="md">
            That endpoint no longer exists.
          </Alert>
        )}
        {endpoints.data?.length === 0 && (
          <EmptyState icon="link" title="No webhook endpoints yet" action={add}>
            Add the URL of a system that should hear about points, tiers, rewards, orders and referrals as they happen.
          </EmptyState>
        )}
        {(endpoints.isPending || !!endpoints.data?.length) && (
          <SettingsTable columns={['URL', 'Events', 'Status', 'Last success', 'Failed deliveries']} minWidth={720} loading={endpoints.isPending} highlightOnHover>
{endpoints.data?.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td maw={360}>
                  <Anchor component="button" type="button" size="sm" fw={500} onClick={() => select(e.id)} style={{ wordBreak: 'break-all', textAlign: 'left' }}>
                    {e.url}
                  </Anchor>
                  {e.description && (
                    <Text size="xs" c="dimmed">
                      {e.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{e.events.includes('*') ? 'All events' : `${e.events.length} event${e.events.length === 1 ? '' : 's'}`}</Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={e.enabled ? (e.failingSince ? 'yellow' : 'green') : 'gray'} title={e.disabledReason ?? undefined}>
                    {e.enabled ? (e.failingSince ? 'Failing' : 'Enabled') : 'Disabled'}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{e.lastSuccessAt ? fmt.relative(e.lastSuccessAt) : 'Never'}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={e.deliveries.failed > 0 ? 'red.8' : undefined}>
                    {e.deliveries.failed}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </SettingsTable>
        )}
      </Card>
      {adding && (
        <EndpointDialog
          onClose={() => setAdding(false)}
          onCreated={(secret) => {
            setAdding(false);
            setCreated(secret);
          }}
        />
      )}
      {created && (
        <SecretShownOnce title="Endpoint added" alertTitle="Copy the signing secret now" secret={created} testId="webhook-secret" onClose={() => setCreated(null)}>
          <SigningSecretHelp />
        </SecretShownOnce>
      )}
    </>
  );
}

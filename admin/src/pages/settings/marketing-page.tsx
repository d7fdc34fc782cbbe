import { Alert, Badge, Button, Card, Code, Group, PasswordInput, Progress, SimpleGrid, Skeleton, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { connectIntegration, disconnectIntegration, integrationKey, testIntegration, useIntegration, type MarketingIntegration, type MarketingTool } from '../../api/marketing.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorAlert } from '../../components/feedback.js';
import { Icon } from '../../components/icons.js';
import { PageHeader } from '../../components/page-header.js';
import { useFormat } from '../../lib/format.js';
import { useAction } from '../../lib/use-action.js';

const DESCRIPTION: Record<MarketingTool, string> = {
  klaviyo: "Keeps each customer's Klaviyo profile current with their points, tier, referral link and last reward, and sends loyalty events (points earned, reward redeemed, tier changed, points expiring) for flows.",
  omnisend: "Keeps each customer's Omnisend contact current with their points, tier, referral link and last reward (custom properties), and sends loyalty events for automations.",
};

function ConnectForm({ tool, integration, replacing, onDone }: { tool: MarketingTool; integration: MarketingIntegration; replacing: boolean; onDone?: () => void }) {
  const [apiKey, setApiKey] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [touched, setTouched] = useState(false);
  const action = useAction({
    run: (body: { apiKey: string; baseUrl?: string }, key) => connectIntegration(tool, body, key),
    invalidate: [integrationKey(tool)],
    onSuccess: () => {
      notifications.show({ color: 'green', message: replacing ? `${integration.label} key replaced.` : `${integration.label} connected: the first sync of your customers has started.` });
      setApiKey('');
      onDone?.();
    },
  });
  const keyError = touched && !apiKey.trim() ? `Paste the ${integration.label} API key` : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!apiKey.trim()) return;
    void action.submit({ apiKey: apiKey.trim(), ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}) });
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <ErrorAlert error={action.error} title={`${integration.label} was not connected`} />
        <PasswordInput label="API key" description={integration.keyHelp} value={apiKey} onChange={(e) => setApiKey(e.currentTarget.value)} error={keyError} autoComplete="off" required />
        {!replacing && (
          <TextInput
            label="API address (optional)"
            description={`Leave empty to call ${integration.defaultBaseUrl}. A proxy must be a public https address.`}
            placeholder={integration.defaultBaseUrl}
            value={baseUrl}
            onChange={(e) => setBaseUrl(e.currentTarget.value)}
          />
        )}
        <Group justify="flex-end">
          {replacing && onDone && (
            <Button variant="default" onClick={onDone}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={action.pending}>
            {replacing ? 'Replace key' : `Connect ${integration.label}`}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Counts({ integration }: { integration: MarketingIntegration }) {
  const fmt = useFormat();
  const items = [
    { label: 'Synced', value: integration.counts.synced, color: 'green' },
    { label: 'Pending', value: integration.counts.pending, color: 'blue' },
    { label: 'Failed', value: integration.counts.failed, color: 'red' },
    { label: 'Skipped', value: integration.counts.skipped, color: 'gray' },
  ];
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }} data-testid="integration-counts">
      {items.map((i) => (
        <Stack key={i.label} gap={0}>
          <Text size="xs" c="dimmed">
            {i.label} customers
          </Text>
          <Text fw={700} size="lg" c={i.value > 0 && i.label === 'Failed' ? 'red.8' : undefined}>
            {fmt.number(i.value)}
          </Text>
        </Stack>
      ))}
    </SimpleGrid>
  );
}

function FirstSync({ integration }: { integration: MarketingIntegration }) {
  const fs = integration.firstSync;
  if (!fs) return null;
  const p = fs.progress ?? {};
  const submitted = typeof p.submitted === 'number' ? p.submitted : 0;
  const completed = typeof p.completed === 'number' ? p.completed : 0;
  const running = fs.status === 'queued' || fs.status === 'running';
  return (
    <Stack gap={4}>
      <Text size="sm">
        First sync:{' '}
        {fs.status === 'done' ? 'finished' : fs.status === 'dead' ? 'stopped' : 'in progress'}
        {submitted > 0 && ` (${completed} of ${submitted} customers imported in bulk)`}
      </Text>
      {running && submitted > 0 && <Progress value={(completed / submitted) * 100} aria-label="First sync progress" />}
      {fs.error && (
        <Text size="xs" c="red.8">
          {fs.error}
        </Text>
      )}
    </Stack>
  );
}

function Connected({ tool, integration }: { tool: MarketingTool; integration: MarketingIntegration }) {
  const fmt = useFormat();
  const [replacing, setReplacing] = useState(false);
  const [disconnecting, setDisconnecting] = useState(false);
  const [testResult, setTestResult] = useState<{ ok: boolean; message: string } | null>(null);
  const test = useAction({ run: (_: null, key) => testIntegration(tool, key), invalidate: [integrationKey(tool)], onSuccess: (r) => setTestResult({ ok: r.ok, message: r.message }) });
  const toggle = useAction({ run: (enabled: boolean, key) => connectIntegration(tool, { enabled }, key), invalidate: [integrationKey(tool)] });
  const disconnect = useAction({
    run: (_: null, key) => disconnectIntegration(tool, key),
    invalidate: [integrationKey(tool)],
    onSuccess: () => {
      setDisconnecting(false);
      notifications.show({ message: `${integration.label} disconnected; its key was deleted.` });
    },
  });
  return (
    <Stack>
      <Card>
        <Stack>
          <Group justify="space-between">
            <Group gap="xs">
              <Title order={2} size="h4">
                {integration.label}
              </Title>
              <Badge color={integration.enabled ? 'green' : 'gray'} data-testid="integration-status">
                {integration.enabled ? 'Connected' : 'Disabled'}
              </Badge>
            </Group>
            <Switch label="Sync enabled" checked={integration.enabled} disabled={toggle.pending} onChange={(e) => void toggle.submit(e.currentTarget.checked)} />
          </Group>
          <ErrorAlert error={toggle.error} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Text size="sm">
              API key <Code>{integration.keyHint}</Code>
            </Text>
            <Text size="sm">
              Address <Code>{integration.baseUrl}</Code>
              {integration.baseUrlSetByOperator && ' (set by the operator)'}
            </Text>
            <Text size="sm">Connected {fmt.dateTime(integration.connectedAt)}</Text>
            <Text size="sm">Last successful call {integration.lastSuccessAt ? fmt.relative(integration.lastSuccessAt) : 'never'}</Text>
          </SimpleGrid>
          {integration.lastError && (
            <Alert color="red" icon={<Icon name="alert" />} title={`Last error ${fmt.relative(integration.lastErrorAt)}`} data-testid="integration-last-error">
              {fmt.text(integration.lastError)}
            </Alert>
          )}
          {testResult && (
            <Alert color={testResult.ok ? 'green' : 'red'} icon={<Icon name={testResult.ok ? 'check' : 'alert'} />} data-testid="integration-test-result">
              {testResult.message}
            </Alert>
          )}
          <ErrorAlert error={test.error} />
          <Group>
            <Button variant="light" loading={test.pending} onClick={() => void test.submit(null)}>
              Test connection
            </Button>
            <Button variant="default" onClick={() => setReplacing(true)} disabled={replacing}>
              Replace key
            </Button>
            <Button variant="subtle" color="red" onClick={() => setDisconnecting(true)}>
              Disconnect
            </Button>
          </Group>
          {replacing && <ConnectForm tool={tool} integration={integration} replacing onDone={() => setReplacing(false)} />}
        </Stack>
      </Card>
      <Card>
        <Stack>
          <Title order={2} size="h5">
            Customers
          </Title>
          <Counts integration={integration} />
          <FirstSync integration={integration} />
        </Stack>
      </Card>
      {disconnecting && (
        <ConfirmDialog
          title={`Disconnect ${integration.label}?`}
          confirmLabel="Disconnect"
          color="red"
          pending={disconnect.pending}
          error={disconnect.error}
          onConfirm={() => void disconnect.submit(null)}
          onClose={() => setDisconnecting(false)}
        >
          {`Patron deletes the stored key and every customer's sync state, and stops updating ${integration.label}. Profiles already in ${integration.label} stay there.`}
        </ConfirmDialog>
      )}
    </Stack>
  );
}

function MarketingIntegrationPage({ tool }: { tool: MarketingTool }) {
  const q = useIntegration(tool);
  const label = q.data?.label ?? (tool === 'klaviyo' ? 'Klaviyo' : 'Omnisend');
  return (
    <>
      <PageHeader title={label} description={DESCRIPTION[tool]} />
      {q.isPending && <Skeleton h={160} />}
      {q.isError && <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />}
      {q.data && q.data.status === 'not_connected' && (
        <Card>
          <ConnectForm tool={tool} integration={q.data} replacing={false} />
        </Card>
      )}
      {q.data && q.data.status !== 'not_connected' && <Connected tool={tool} integration={q.data} />}
    </>
  );
}

export function KlaviyoSettingsPage() {
  return <MarketingIntegrationPage tool="klaviyo" />;
}

export function OmnisendSettingsPage() {
  return <MarketingIntegrationPage tool="omnisend" />;
}

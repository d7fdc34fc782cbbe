import {
  Alert,
  Button,
  Card,
  Code,
  ColorInput,
  CopyButton,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api, unwrap } from '../../api/client.js';
import type { components, paths } from '../../api/generated/schema.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { CopyableValue } from '../../components/copyable-value.js';
import { ErrorAlert } from '../../components/feedback.js';
import { Icon } from '../../components/icons.js';
import { PageHeader } from '../../components/page-header.js';
import { useFormat } from '../../lib/format.js';
import { useAction } from '../../lib/use-action.js';

type Settings = components['schemas']['StorefrontSettings'];
type Theme = components['schemas']['StorefrontTheme'];
type SettingsBody = NonNullable<paths['/api/v1/storefront/settings']['put']['requestBody']>['content']['application/json'];
const settingsKey = ['storefront-settings'] as const;
const idem = (key: string) => ({ 'idempotency-key': key });

function useStorefrontSettings() {
  return useQuery({ queryKey: settingsKey, queryFn: ({ signal }) => unwrap(api.GET('/api/v1/storefront/settings', { signal })) });
}

/** The tag a store adds to its pages; the token comes from the store's server for a signed-in customer. */
export function installSnippet(origin: string, key: string): string {
  return `<script src="${origin}/widget.js" data-key="${key}" data-token="{{ customer token from your server, or empty }}" defer></script>`;
}

function SecretCard({ settings }: { settings: Settings }) {
  const fmt = useFormat();
  const [confirm, setConfirm] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const rotate = useAction({
    run: (_: null, key) => unwrap(api.POST('/api/v1/storefront/secret', { headers: idem(key) })),
    invalidate: [settingsKey],
    onSuccess: (r) => {
      setConfirm(false);
      setSecret(r.secret);
    },
  });
  return (
    <Card withBorder>
      <Stack>
        <Title order={3} size="h4">
          Keys
        </Title>
        <div>
          <Text fw={600} size="sm">
            Publishable key
          </Text>
          <Text size="sm" c="dimmed" mb={4}>
            Safe to put in your store&apos;s pages: it says which program the widget shows.
          </Text>
          <CopyableValue value={settings.publishableKey} testId="publishable-key" />
        </div>
        <div>
          <Text fw={600} size="sm">
            Signing secret
          </Text>
          <Text size="sm" c="dimmed">
            Your store&apos;s server signs each signed-in customer&apos;s token with it (HS256, valid at most one hour). Keep it on the server.{' '}
            {settings.secretSet ? `Last created ${settings.secretRotatedAt ? fmt.dateTime(settings.secretRotatedAt) : ''}.` : 'No secret yet: customers can only be shown the program.'}
          </Text>
        </div>
        <ErrorAlert error={rotate.error} title="The secret was not changed" />
        <Group>
          <Button leftSection={<Icon name="key" size={16} />} variant={settings.secretSet ? 'default' : 'filled'} onClick={() => (settings.secretSet ? setConfirm(true) : void rotate.submit(null))} loading={rotate.pending && !confirm}>
            {settings.secretSet ? 'Rotate secret' : 'Create secret'}
          </Button>
        </Group>
      </Stack>
      {confirm && (
        <ConfirmDialog
          title="Rotate the signing secret?"
          confirmLabel="Rotate secret"
          color="red"
          pending={rotate.pending}
          error={rotate.error}
          onClose={() => setConfirm(false)}
          onConfirm={() => void rotate.submit(null)}
        >
          Tokens signed with the current secret stop working at once: update your store&apos;s server with the new secret right away.
        </ConfirmDialog>
      )}
      {secret && (
        <Modal opened onClose={() => setSecret(null)} title="Storefront signing secret" closeOnClickOutside={false} size="lg">
          <Stack>
            <Alert color="yellow" icon={<Icon name="alert" />} title="Copy the secret now">
              This is the only time Patron shows it. Store it on your shop&apos;s server, never in a page.
            </Alert>
            <CopyableValue value={secret} testId="storefront-secret" />
            <Group justify="flex-end">
              <Button onClick={() => setSecret(null)}>I have stored it</Button>
            </Group>
          </Stack>
        </Modal>
      )}
    </Card>
  );
}

const POSITIONS = [
  { value: 'bottom-right', label: 'Bottom right' },
  { value: 'bottom-left', label: 'Bottom left' },
];

function SettingsForm({ settings }: { settings: Settings }) {
  const [origins, setOrigins] = useState(settings.allowedOrigins.join('\n'));
  const [theme, setTheme] = useState<Theme>(settings.theme);
  const [perIp, setPerIp] = useState<number | string>(settings.rateLimits.perIpPerMinute);
  const [perCustomer, setPerCustomer] = useState<number | string>(settings.rateLimits.perCustomerPerMinute);
  useEffect(() => {
    setOrigins(settings.allowedOrigins.join('\n'));
    setTheme(settings.theme);
  }, [settings]);
  const save = useAction({
    run: (body: SettingsBody, key) => unwrap(api.PUT('/api/v1/storefront/settings', { body, headers: idem(key) })),
    invalidate: [settingsKey],
    onSuccess: () => notifications.show({ color: 'green', message: 'Storefront settings saved.' }),
  });
  const set = (k: keyof Theme) => (value: string) => setTheme((t) => ({ ...t, [k]: value.trim() === '' ? undefined : value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const clean = Object.fromEntries(Object.entries(theme).filter(([, v]) => v !== undefined && v !== ''));
    void save.submit({
      allowedOrigins: origins
        .split(/[\n,]/)
        .map((o) => o.trim())
        .filter(Boolean),
      theme: clean,
      rateLimits: { perIpPerMinute: Number(perIp), perCustomerPerMinute: Number(perCustomer) },
    });
  };
  return (
    <Card withBorder component="form" onSubmit={submit} noValidate>
      <Stack>
        <Title order={3} size="h4">
          Where the widget runs and how it looks
        </Title>
        <ErrorAlert error={save.error} title="The settings were not saved" />
        <Textarea
          label="Allowed origins"
          description="Pages on these origins may call the storefront API from the browser (one per line, e.g. https://shop.example.com). Other sites get no CORS headers."
          autosize
          minRows={2}
          value={origins}
          onChange={(e) => setOrigins(e.currentTarget.value)}
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <ColorInput label="Main colour" placeholder="#1f6feb" value={theme.primaryColor ?? ''} onChange={set('primaryColor')} format="hex" withEyeDropper={false} />
          <ColorInput label="Text colour" placeholder="#1b1f24" value={theme.textColor ?? ''} onChange={set('textColor')} format="hex" withEyeDropper={false} />
          <ColorInput label="Panel background" placeholder="#ffffff" value={theme.backgroundColor ?? ''} onChange={set('backgroundColor')} format="hex" withEyeDropper={false} />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Select label="Position" data={POSITIONS} value={theme.position ?? 'bottom-right'} onChange={(v) => setTheme((t) => ({ ...t, position: (v ?? 'bottom-right') as Theme['position'] }))} allowDeselect={false} />
          <TextInput label="Launcher text" placeholder="Rewards" maxLength={40} value={theme.launcherText ?? ''} onChange={(e) => set('launcherText')(e.currentTarget.value)} />
          <TextInput label="Panel title" placeholder="Rewards" maxLength={80} value={theme.title ?? ''} onChange={(e) => set('title')(e.currentTarget.value)} />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Sign-up button (guests)" placeholder="Create an account" maxLength={80} value={theme.guestCtaText ?? ''} onChange={(e) => set('guestCtaText')(e.currentTarget.value)} />
          <TextInput label="Sign-up address" placeholder="https://shop.example.com/account/register" value={theme.guestCtaUrl ?? ''} onChange={(e) => set('guestCtaUrl')(e.currentTarget.value)} />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NumberInput label="Requests per minute per visitor address" min={1} max={100000} value={perIp} onChange={setPerIp} />
          <NumberInput label="Requests per minute per customer" min={1} max={100000} value={perCustomer} onChange={setPerCustomer} />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button type="submit" loading={save.pending}>
            Save storefront settings
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function InstallCard({ settings }: { settings: Settings }) {
  const snippet = installSnippet(window.location.origin, settings.publishableKey);
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={3} size="h4">
          Install
        </Title>
        <Text size="sm">
          Add this tag to your store&apos;s layout. For a signed-in customer, put the token your server signs in <Code>data-token</Code>; leave it out for visitors. The guide is in{' '}
          <Code>docs/storefront.md</Code>.
        </Text>
        <Code block data-testid="install-snippet" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
          {snippet}
        </Code>
        <Group>
          <CopyButton value={snippet}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy} leftSection={<Icon name={copied ? 'check' : 'copy'} size={16} />}>
                {copied ? 'Copied' : 'Copy snippet'}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
    </Card>
  );
}

type View = 'member' | 'guest' | 'left' | 'visitor';

/** The widget in a frame of this page, as the chosen customer (or a visitor) sees it. */
function PreviewCard({ settings }: { settings: Settings }) {
  const [search, setSearch] = useState('');
  const [customerId, setCustomerId] = useState<string | null>(null);
  const [view, setView] = useState<View>('member');
  const [width, setWidth] = useState('1024');
  const [frame, setFrame] = useState<string | null>(null);
  const found = useQuery({
    queryKey: ['storefront-preview-customers', search],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/customers', { params: { query: { ...(search ? { search } : {}), limit: 8 } }, signal })),
  });
  const options = (found.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.name}${c.email ? ` (${c.email})` : ''}` }));
  const show = useAction({
    run: async (_: null, key) => {
      if (view === 'visitor') return null;
      if (!customerId) throw new Error('Choose a customer to preview');
      return unwrap(api.POST('/api/v1/storefront/preview-token', { body: { customerId, view }, headers: idem(key) }));
    },
    onSuccess: (r) => {
      const token = r ? ` data-token="${r.token}"` : '';
      setFrame(
        `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><style>body{margin:0;font-family:system-ui;background:#f6f7f9;color:#555}main{padding:24px}</style></head>` +
          `<body><main><p>Your store page</p></main><script src="/widget.js" data-key="${settings.publishableKey}"${token}></script></body></html>`,
      );
    },
  });
  return (
    <Card withBorder>
      <Stack>
        <Title order={3} size="h4">
          Live preview
        </Title>
        <Text size="sm" c="dimmed">
          The widget exactly as a customer sees it. A preview changes nothing: redeeming and preferences are switched off.
        </Text>
        {!settings.secretSet && <Alert color="yellow">Create the signing secret first: previews of a customer are signed with it.</Alert>}
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Select label="Customer" placeholder="Search by name or email" searchable data={options} value={customerId} onChange={setCustomerId} onSearchChange={setSearch} searchValue={search} nothingFoundMessage="No customer found" disabled={view === 'visitor'} />
          <div>
            <Text size="sm" fw={500} mb={4}>
              Show as
            </Text>
            <SegmentedControl
              fullWidth
              value={view}
              onChange={(v) => setView(v as View)}
              data={[
                { value: 'member', label: 'Member' },
                { value: 'guest', label: 'Guest' },
                { value: 'left', label: 'Left' },
                { value: 'visitor', label: 'Visitor' },
              ]}
            />
          </div>
          <div>
            <Text size="sm" fw={500} mb={4}>
              Screen
            </Text>
            <SegmentedControl fullWidth value={width} onChange={setWidth} data={[{ value: '1024', label: 'Desktop' }, { value: '375', label: 'Phone (375 px)' }]} />
          </div>
        </SimpleGrid>
        <ErrorAlert error={show.error} title="The preview could not be shown" />
        <Group>
          <Button onClick={() => void show.submit(null)} loading={show.pending} leftSection={<Icon name="eye" size={16} />}>
            Show preview
          </Button>
        </Group>
        {frame && view === 'left' && <Text size="sm">A customer who left the program sees no widget at all: the frame below stays empty.</Text>}
        {frame && (
          <div>
            <iframe
              title="Widget preview"
              srcDoc={frame}
              style={{ width: Number(width), maxWidth: '100%', height: 640, border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8, background: '#fff' }}
            />
          </div>
        )}
      </Stack>
    </Card>
  );
}

export function StorefrontPage() {
  const settings = useStorefrontSettings();
  return (
    <Stack>
      <PageHeader title="Storefront" description="The loyalty widget on your store: keys, where it may run, how it looks, and a preview." />
      {settings.isPending && <Skeleton h={240} />}
      {settings.isError && <ErrorAlert error={settings.error} title="The storefront settings could not be loaded" onRetry={() => void settings.refetch()} />}
      {settings.data && (
        <>
          <SecretCard settings={settings.data} />
          <InstallCard settings={settings.data} />
          <SettingsForm settings={settings.data} />
          <PreviewCard settings={settings.data} />
        </>
      )}
    </Stack>
  );
}

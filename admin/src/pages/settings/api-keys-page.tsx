import { Badge, Button, Card, Checkbox, Code, Group, Modal, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { apiKeysKey, createApiKey, revokeApiKey, useApiKeys } from '../../api/access.js';
import type { ApiKey, Permission } from '../../api/models.js';
import { EmptyState, ErrorAlert } from '../../components/feedback.js';
import { Icon } from '../../components/icons.js';
import { PageHeader } from '../../components/page-header.js';
import { SecretShownOnce, SettingsTable } from '../../components/settings-table.js';
import { useFormat } from '../../lib/format.js';
import { PERMISSION_LABELS, STAFF_PERMISSIONS } from '../../lib/permissions.js';
import { useAction } from '../../lib/use-action.js';

function CreateKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string, secret: string) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Permission[]>(['customers:read']);
  const [touched, setTouched] = useState(false);
  const action = useAction({
    run: (input: { name: string; scopes: string[] }, key) => createApiKey(input, key),
    invalidate: [apiKeysKey],
    onSuccess: (r) => onCreated(r.apiKey.name, r.secret),
  });
  const nameError = touched && !name.trim() ? 'Give the key a name, e.g. the integration that uses it' : null;
  const scopeError = touched && scopes.length === 0 ? 'Pick at least one scope' : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!name.trim() || !scopes.length) return;
    void action.submit({ name: name.trim(), scopes });
  };
  return (
    <Modal opened onClose={onClose} title="Create an API key" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error} />
          <TextInput label="Name" placeholder="Storefront integration" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={nameError} data-autofocus />
          <Checkbox.Group label="Scopes" description="What this key may do" value={scopes} onChange={(v) => setScopes(v as Permission[])} error={scopeError}>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
              {STAFF_PERMISSIONS.map((p) => (
                <Checkbox key={p} value={p} label={PERMISSION_LABELS[p]} description={p} />
              ))}
            </SimpleGrid>
          </Checkbox.Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending}>
              Create key
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function RevokeDialog({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }) {
  const action = useAction({
    run: (id: string, key) => revokeApiKey(id, key),
    invalidate: [apiKeysKey],
    onSuccess: (k) => {
      notifications.show({ color: 'green', message: `Revoked "${k.name}". Calls with it now answer 401.` });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={`Revoke "${apiKey.name}"?`}>
      <Stack>
        <ErrorAlert error={action.error} />
        <Text size="sm">Integrations using this key stop working immediately. This cannot be undone.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" loading={action.pending} onClick={() => void action.submit(apiKey.id)}>
            Revoke key
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function ApiKeysPage() {
  const keys = useApiKeys();
  const fmt = useFormat();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const add = (
    <Button leftSection={<Icon name="plus" size={16} />} onClick={() => setCreating(true)}>
      Create API key
    </Button>
  );
  return (
    <>
      <PageHeader title="API keys" description="Keys let your store and integrations call the same API the admin uses." actions={add} />
      <Card p={0}>
        {keys.isError && <ErrorAlert error={keys.error} onRetry={() => void keys.refetch()} />}
        {keys.data?.length === 0 && (
          <EmptyState icon="key" title="No API keys yet" action={add}>
            Create a key for each integration, with only the scopes it needs.
          </EmptyState>
        )}
        {(keys.isPending || !!keys.data?.length) && (
          <SettingsTable columns={['Name', 'Key', 'Scopes', 'Created', 'Last used', { hidden: 'Actions' }]} minWidth={720} loading={keys.isPending}>
            {keys.data?.map((k) => (
              <Table.Tr key={k.id} opacity={k.revokedAt ? 0.6 : 1}>
                <Table.Td>
                  <Group gap={6}>
                    <Text size="sm" fw={500}>
                      {k.name}
                    </Text>
                    {k.revokedAt && <Badge color="red">Revoked</Badge>}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Code>{k.prefix}…</Code>
                </Table.Td>
                <Table.Td maw={320}>
                  <Text size="xs" c="dimmed">
                    {k.scopes.join(', ')}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{fmt.date(k.createdAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{k.lastUsedAt ? fmt.relative(k.lastUsedAt) : 'Never'}</Text>
                </Table.Td>
                <Table.Td ta="right">
                  {!k.revokedAt && (
                    <Button variant="subtle" color="red" size="compact-sm" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </SettingsTable>
        )}
      </Card>
      {creating && (
        <CreateKeyDialog
          onClose={() => setCreating(false)}
          onCreated={(name, secret) => {
            setCreating(false);
            setCreated({ name, secret });
          }}
        />
      )}
      {created && (
        <SecretShownOnce
          title={`API key "${created.name}" created`}
          alertTitle="Copy the secret now"
          secret={created.secret}
          testId="api-key-secret"
          note={
            <Text size="sm" c="dimmed">
              Send it as <Code>Authorization: Bearer &lt;secret&gt;</Code>.
            </Text>
          }
          onClose={() => setCreated(null)}
        >
          This is the only time Patron shows it. It is stored hashed; if you lose it, revoke the key and create a new one.
        </SecretShownOnce>
      )}
      {revoking && <RevokeDialog apiKey={revoking} onClose={() => setRevoking(null)} />}
    </>
  );
}

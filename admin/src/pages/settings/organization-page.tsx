import { Button, Card, Group, Select, SimpleGrid, Skeleton, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { organizationKey, updateOrganization, useOrganization } from '../../api/access.js';
import type { Organization } from '../../api/models.js';
import { ErrorAlert } from '../../components/feedback.js';
import { PageHeader } from '../../components/page-header.js';
import { ME_KEY, useSession } from '../../lib/session.js';
import { useAction } from '../../lib/use-action.js';

const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'NZD', 'JPY', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'BRL', 'MXN', 'INR', 'SGD', 'HKD', 'ZAR'];

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? ['UTC', 'America/New_York', 'Europe/London', 'Europe/Paris', 'Asia/Tokyo'];
}

function OrganizationForm({ org, editable }: { org: Organization; editable: boolean }) {
  const qc = useQueryClient();
  const [name, setName] = useState(org.name);
  const [currency, setCurrency] = useState(org.currency);
  const [timezone, setTimezone] = useState(org.timezone);
  const action = useAction({
    run: (body: { name: string; currency: string; timezone: string }, key) => updateOrganization(body, key),
    invalidate: [organizationKey, ME_KEY],
    onSuccess: () => notifications.show({ color: 'green', message: 'Organization settings saved.' }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    void action.submit({ name: name.trim(), currency, timezone }).then(() => qc.invalidateQueries());
  };
  const zones = timeZones();
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <ErrorAlert error={action.error} />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} disabled={!editable} error={!name.trim() ? 'Required' : null} />
          <Select label="Currency" description="Used for money everywhere" data={CURRENCIES.includes(currency) ? CURRENCIES : [currency, ...CURRENCIES]} value={currency} onChange={(v) => v && setCurrency(v)} searchable disabled={!editable} allowDeselect={false} />
          <Select label="Time zone" description="Dates are shown in this zone" data={zones.includes(timezone) ? zones : [timezone, ...zones]} value={timezone} onChange={(v) => v && setTimezone(v)} searchable disabled={!editable} allowDeselect={false} />
        </SimpleGrid>
        {editable && (
          <Group justify="flex-end">
            <Button type="submit" loading={action.pending}>
              Save
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}

export function OrganizationPage() {
  const org = useOrganization();
  const { can } = useSession();
  return (
    <>
      <PageHeader title="Organization" description="Name, currency and time zone of this loyalty program." />
      <Card>
        {org.isPending && <Skeleton h={64} />}
        {org.isError && <ErrorAlert error={org.error} onRetry={() => void org.refetch()} />}
        {org.data && <OrganizationForm key={org.data.id} org={org.data} editable={can('settings:manage')} />}
      </Card>
    </>
  );
}

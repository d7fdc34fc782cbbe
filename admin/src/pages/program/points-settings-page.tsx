import { Button, Card, Group, NumberInput, Select, SimpleGrid, Skeleton, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import type { ProgramSettings } from '../../api/models.js';
import { programKeys, updateProgram, useProgram } from '../../api/program.js';
import { ErrorAlert } from '../../components/feedback.js';
import { PageHeader } from '../../components/page-header.js';
import { useFormat } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';
import { useAction } from '../../lib/use-action.js';

type Form = Omit<ProgramSettings, 'updatedAt'>;

function PointsForm({ initial, editable }: { initial: ProgramSettings; editable: boolean }) {
  const fmt = useFormat();
  const [f, setF] = useState<Form>(initial);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF((prev) => ({ ...prev, [k]: v }));
  const action = useAction({
    run: (body: Form, key) => updateProgram(body, key),
    invalidate: [programKeys.program],
    onSuccess: () => notifications.show({ color: 'green', message: 'Points settings saved. They apply to new orders from now on.' }),
  });
  const rateOk = /^\d{1,8}(\.\d{1,4})?$/.test(f.earnRate);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (rateOk) void action.submit(f);
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="lg">
        <ErrorAlert error={action.error} />
        <Card>
          <Title order={2} size="h5" mb="sm">
            Earning
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label="Points per 1 unit spent" description={`e.g. 1 = 1 point per ${fmt.amount(1)}`} value={f.earnRate} onChange={(e) => set('earnRate', e.currentTarget.value)} error={rateOk ? null : 'A decimal such as 1 or 0.5'} disabled={!editable} inputMode="decimal" />
            <Select label="Rounding" data={[{ value: 'down', label: 'Round down' }, { value: 'nearest', label: 'Round to nearest' }, { value: 'up', label: 'Round up' }]} value={f.rounding} onChange={(v) => v && set('rounding', v as Form['rounding'])} allowDeselect={false} disabled={!editable} />
            <Select label="Award points when the order is" data={[{ value: 'paid', label: 'Paid' }, { value: 'fulfilled', label: 'Fulfilled' }]} value={f.awardOn} onChange={(v) => v && set('awardOn', v as Form['awardOn'])} allowDeselect={false} disabled={!editable} />
            <NumberInput label="Pending period (days)" description="Points wait this long before they can be spent (return window)" min={0} max={365} allowDecimal={false} value={f.pendingDays} onChange={(v) => set('pendingDays', Number(v) || 0)} disabled={!editable} />
            <Select label="On refunds" data={[{ value: 'clamp', label: 'Take back points, never below zero' }, { value: 'allow_negative', label: 'Take back points, balance may go negative' }]} value={f.clawbackPolicy} onChange={(v) => v && set('clawbackPolicy', v as Form['clawbackPolicy'])} allowDeselect={false} disabled={!editable} />
          </SimpleGrid>
        </Card>
        <Card>
          <Title order={2} size="h5" mb="sm">
            Expiry
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select
              label="Points expire"
              data={[{ value: 'none', label: 'Never' }, { value: 'days_after_earning', label: 'N days after each earning' }, { value: 'inactivity', label: 'All after N days without activity' }]}
              value={f.expiryPolicy}
              onChange={(v) => v && set('expiryPolicy', v as Form['expiryPolicy'])}
              allowDeselect={false}
              disabled={!editable}
            />
            {f.expiryPolicy !== 'none' && (
              <>
                <NumberInput label="Days" min={1} max={3650} allowDecimal={false} value={f.expiryDays ?? ''} onChange={(v) => set('expiryDays', v === '' ? null : Number(v))} disabled={!editable} />
                <NumberInput label="Remind the customer (days before)" min={1} max={365} allowDecimal={false} value={f.reminderDays ?? ''} onChange={(v) => set('reminderDays', v === '' ? null : Number(v))} disabled={!editable} />
              </>
            )}
          </SimpleGrid>
        </Card>
        <Card>
          <Title order={2} size="h5" mb="sm">
            Membership
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label="Who becomes a member"
              data={[{ value: 'automatic', label: 'Automatic: registered customers are members' }, { value: 'manual', label: 'Manual: only customers staff make members' }]}
              value={f.membershipMode}
              onChange={(v) => v && set('membershipMode', v as Form['membershipMode'])}
              allowDeselect={false}
              disabled={!editable}
            />
            <Switch mt={28} label="Guests earn points" description="Guests can never redeem" checked={f.guestEarning} onChange={(e) => set('guestEarning', e.currentTarget.checked)} disabled={!editable} />
          </SimpleGrid>
        </Card>
        {editable ? (
          <Group justify="flex-end">
            <Button type="submit" loading={action.pending}>
              Save points settings
            </Button>
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            You can view these settings; changing them needs the settings:manage permission.
          </Text>
        )}
      </Stack>
    </form>
  );
}

export function PointsSettingsPage() {
  const program = useProgram();
  const { can } = useSession();
  return (
    <>
      <PageHeader title="Points" description="How customers earn points, when points become spendable and when they expire." />
      {program.isPending && <Skeleton h={420} />}
      {program.error ? <ErrorAlert error={program.error} onRetry={() => void program.refetch()} /> : null}
      {program.data && <PointsForm key={program.data.updatedAt ?? 'new'} initial={program.data} editable={can('settings:manage')} />}
    </>
  );
}

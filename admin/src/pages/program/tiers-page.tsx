import { Button, Card, Group, NumberInput, Select, SimpleGrid, Skeleton, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { Tier, TierSettings } from '../../api/models.js';
import { useTierSettings, useTiers } from '../../api/profile.js';
import { deleteTier, programKeys, saveTier, saveTierSettings, type TierInput } from '../../api/program.js';
import { ConfigTable } from '../../components/config-table.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorAlert } from '../../components/feedback.js';
import { FormDialog } from '../../components/form-dialog.js';
import { Icon } from '../../components/icons.js';
import { PageHeader } from '../../components/page-header.js';
import { useFormat } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';
import { basisHint, basisTextOk, toBasisValue } from '../../lib/tier-units.js';
import { useAction } from '../../lib/use-action.js';

type TierForm = Omit<TierInput, 'threshold'> & { threshold: string };

function TierDialog({ tier, basis, onClose }: { tier: Tier | null; basis: TierSettings['basis'] | undefined; onClose: () => void }) {
  const [f, setF] = useState<TierForm>(tier ? { ...tier, threshold: String(tier.threshold) } : { name: '', threshold: '', earnMultiplier: '1', birthdayPoints: null, entryPoints: 0 });
  const [touched, setTouched] = useState(false);
  const action = useAction({
    run: (body: TierInput, key) => saveTier(tier?.id ?? null, body, key),
    invalidate: [programKeys.tiers],
    onSuccess: (t) => {
      notifications.show({ color: 'green', message: `Tier ${t.name} saved.` });
      onClose();
    },
  });
  const ok = f.name.trim() !== '' && basisTextOk(f.threshold, basis) && /^\d{1,2}(\.\d{1,4})?$/.test(f.earnMultiplier);
  const submit = () => {
    setTouched(true);
    const { name, earnMultiplier, birthdayPoints, entryPoints } = f;
    if (ok) void action.submit({ name: name.trim(), threshold: toBasisValue(f.threshold, basis), earnMultiplier, birthdayPoints, entryPoints });
  };
  return (
    <FormDialog title={tier ? `Edit ${tier.name}` : 'Add a tier'} submitLabel="Save tier" pending={action.pending} error={action.error} onClose={onClose} onSubmit={submit}>
      <TextInput label="Name" value={f.name} onChange={(e) => setF({ ...f, name: e.currentTarget.value })} error={touched && !f.name.trim() ? 'Required' : null} data-autofocus />
      <SimpleGrid cols={2}>
        <TextInput label="Threshold" description="In the tier basis: points, amount or orders" value={f.threshold} onChange={(e) => setF({ ...f, threshold: e.currentTarget.value })} error={touched && !basisTextOk(f.threshold, basis) ? basisHint(basis) : null} inputMode="decimal" />
        <TextInput label="Earn multiplier" description="e.g. 1.5 earns 50% more on orders" value={f.earnMultiplier} onChange={(e) => setF({ ...f, earnMultiplier: e.currentTarget.value })} inputMode="decimal" />
        <NumberInput label="Entry reward (points)" min={0} allowDecimal={false} value={f.entryPoints} onChange={(v) => setF({ ...f, entryPoints: Number(v) || 0 })} />
        <NumberInput label="Birthday points override" description="Empty uses the birthday rule" min={0} allowDecimal={false} value={f.birthdayPoints ?? ''} onChange={(v) => setF({ ...f, birthdayPoints: v === '' ? null : Number(v) })} />
      </SimpleGrid>
    </FormDialog>
  );
}

function SettingsCard({ settings, editable }: { settings: TierSettings; editable: boolean }) {
  const [f, setF] = useState({ basis: settings.basis, window: settings.window, graceDays: settings.graceDays });
  const action = useAction({
    run: (body: typeof f, key) => saveTierSettings(body, key),
    invalidate: [programKeys.tiers],
    onSuccess: () => notifications.show({ color: 'green', message: 'Tier settings saved.' }),
  });
  return (
    <Card mb="lg">
      <Title order={2} size="h5" mb="sm">
        How tiers are earned
      </Title>
      <ErrorAlert error={action.error} />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Select label="Progress counts" data={[{ value: 'amount_spent', label: 'Amount spent' }, { value: 'points_earned', label: 'Points earned' }, { value: 'orders_count', label: 'Number of orders' }]} value={f.basis} onChange={(v) => v && setF({ ...f, basis: v as TierSettings['basis'] })} allowDeselect={false} disabled={!editable} />
        <Select label="Qualification window" data={[{ value: 'lifetime', label: 'Lifetime' }, { value: 'calendar_year', label: 'Calendar year' }, { value: 'rolling_12_months', label: 'Rolling 12 months' }]} value={f.window} onChange={(v) => v && setF({ ...f, window: v as TierSettings['window'] })} allowDeselect={false} disabled={!editable} />
        <NumberInput label="Grace days before a downgrade" min={0} max={365} allowDecimal={false} value={f.graceDays} onChange={(v) => setF({ ...f, graceDays: Number(v) || 0 })} disabled={!editable} />
      </SimpleGrid>
      {editable && (
        <Group justify="flex-end" mt="md">
          <Button variant="light" loading={action.pending} onClick={() => void action.submit(f)}>
            Save settings
          </Button>
        </Group>
      )}
    </Card>
  );
}

export function TiersPage() {
  const fmt = useFormat();
  const { can } = useSession();
  const editable = can('settings:manage');
  const tiers = useTiers();
  const settings = useTierSettings();
  const [editing, setEditing] = useState<{ tier: Tier | null } | null>(null);
  const [deleting, setDeleting] = useState<Tier | null>(null);
  const remove = useAction({ run: (id: string, key) => deleteTier(id, key), invalidate: [programKeys.tiers], onSuccess: () => setDeleting(null) });
  const basis = settings.data?.basis;
  return (
    <>
      <PageHeader
        title="Tiers"
        description="VIP tiers, lowest first. Customers move up as soon as they qualify; downgrades happen at the end of the window."
        actions={editable && <Button leftSection={<Icon name="plus" size={16} />} onClick={() => setEditing({ tier: null })}>Add tier</Button>}
      />
      {settings.isPending ? <Skeleton h={140} mb="lg" /> : settings.data ? <SettingsCard key={settings.data.updatedAt ?? 'new'} settings={settings.data} editable={editable} /> : <ErrorAlert error={settings.error} />}
      <ConfigTable
        label="Tiers"
        rows={tiers.data}
        loading={tiers.isPending}
        error={tiers.error}
        editable={editable}
        empty={{ icon: 'crown', title: 'No tiers yet', text: 'Add tiers to reward your best customers with multipliers and entry rewards.' }}
        onEdit={(tier) => setEditing({ tier })}
        onDelete={setDeleting}
        columns={[
          { label: 'Tier', render: (t) => t.name },
          { label: 'Threshold', render: (t) => fmt.tierProgress(t.threshold, basis), align: 'right' },
          { label: 'Multiplier', render: (t) => `×${t.earnMultiplier}`, align: 'right' },
          { label: 'Entry reward', render: (t) => fmt.points(t.entryPoints), align: 'right' },
          { label: 'Birthday points', render: (t) => (t.birthdayPoints === null ? 'Rule default' : fmt.points(t.birthdayPoints)), align: 'right' },
        ]}
      />
      {editing && <TierDialog tier={editing.tier} basis={basis} onClose={() => setEditing(null)} />}
      {deleting && (
        <ConfirmDialog title={`Delete ${deleting.name}?`} confirmLabel="Delete tier" color="red" pending={remove.pending} error={remove.error} onConfirm={() => void remove.submit(deleting.id)} onClose={() => setDeleting(null)}>
          Customers in this tier move to the tier their progress qualifies for.
        </ConfirmDialog>
      )}
    </>
  );
}

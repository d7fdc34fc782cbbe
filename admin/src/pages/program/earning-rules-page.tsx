import { Badge, Button, NumberInput, Select, SimpleGrid, Switch, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { EarningRule } from '../../api/models.js';
import { deleteRule, programKeys, saveRule, useEarningRules, type RuleInput } from '../../api/program.js';
import { ConfigTable } from '../../components/config-table.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { FormDialog } from '../../components/form-dialog.js';
import { Icon } from '../../components/icons.js';
import { PageHeader } from '../../components/page-header.js';
import { useFormat } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';
import { useAction } from '../../lib/use-action.js';

const KIND_LABEL: Record<EarningRule['kind'], string> = { signup: 'Sign-up', birthday: 'Birthday', anniversary: 'Anniversary', custom_action: 'Custom action', referral: 'Referral' };
type Discount = NonNullable<EarningRule['config']['friendDiscount']>;

function RuleDialog({ rule, onClose }: { rule: EarningRule | null; onClose: () => void }) {
  const [f, setF] = useState<RuleInput>(rule ?? { kind: 'custom_action', key: '', name: '', points: 50, active: true, perCustomerLimit: 1, config: {} });
  const [touched, setTouched] = useState(false);
  const action = useAction({
    run: (body: RuleInput, key) => saveRule(rule?.id ?? null, body, key),
    invalidate: [programKeys.rules],
    onSuccess: (r) => {
      notifications.show({ color: 'green', message: `Rule "${r.name}" saved.` });
      onClose();
    },
  });
  const keyOk = f.kind !== 'custom_action' || /^[a-z0-9_]{1,64}$/.test(f.key);
  const discount: Discount = f.config.friendDiscount ?? { type: 'percentage', value: '10' };
  const submit = () => {
    setTouched(true);
    if (!f.name.trim() || !keyOk) return;
    void action.submit({ ...f, name: f.name.trim(), key: f.kind === 'custom_action' ? f.key : f.kind });
  };
  return (
    <FormDialog title={rule ? `Edit ${rule.name}` : 'Add an earning rule'} submitLabel="Save rule" pending={action.pending} error={action.error} onClose={onClose} onSubmit={submit}>
      <SimpleGrid cols={2}>
        <Select label="Kind" data={Object.entries(KIND_LABEL).map(([value, label]) => ({ value, label }))} value={f.kind} onChange={(v) => v && setF({ ...f, kind: v as EarningRule['kind'] })} allowDeselect={false} disabled={rule !== null} />
        {f.kind === 'custom_action' && <TextInput label="Action key" description="e.g. instagram_follow" value={f.key} onChange={(e) => setF({ ...f, key: e.currentTarget.value })} disabled={rule !== null} error={touched && !keyOk ? 'Lowercase letters, digits and _' : null} />}
      </SimpleGrid>
      <TextInput label="Name" value={f.name} onChange={(e) => setF({ ...f, name: e.currentTarget.value })} error={touched && !f.name.trim() ? 'Required' : null} data-autofocus />
      <SimpleGrid cols={2}>
        <NumberInput label={f.kind === 'referral' ? 'Points for the referrer' : 'Points'} min={0} allowDecimal={false} value={f.points} onChange={(v) => setF({ ...f, points: Number(v) || 0 })} />
        {f.kind === 'custom_action' && <NumberInput label="Times per customer" description="Empty: unlimited" min={1} allowDecimal={false} value={f.perCustomerLimit ?? ''} onChange={(v) => setF({ ...f, perCustomerLimit: v === '' ? null : Number(v) })} />}
      </SimpleGrid>
      {f.kind === 'referral' && (
        <SimpleGrid cols={2}>
          <Select label="Friend gets" data={[{ value: 'percentage', label: 'Percentage off' }, { value: 'fixed_amount', label: 'Amount off' }, { value: 'free_shipping', label: 'Free shipping' }]} value={discount.type} onChange={(v) => v && setF({ ...f, config: { friendDiscount: { ...discount, type: v as Discount['type'] } } })} allowDeselect={false} />
          {discount.type !== 'free_shipping' && <TextInput label="Discount value" value={discount.value ?? ''} onChange={(e) => setF({ ...f, config: { friendDiscount: { ...discount, value: e.currentTarget.value } } })} inputMode="decimal" />}
        </SimpleGrid>
      )}
      <Switch label="Active" checked={f.active} onChange={(e) => setF({ ...f, active: e.currentTarget.checked })} />
    </FormDialog>
  );
}

export function EarningRulesPage() {
  const fmt = useFormat();
  const { can } = useSession();
  const editable = can('settings:manage');
  const rules = useEarningRules();
  const [editing, setEditing] = useState<{ rule: EarningRule | null } | null>(null);
  const [deleting, setDeleting] = useState<EarningRule | null>(null);
  const remove = useAction({ run: (id: string, key) => deleteRule(id, key), invalidate: [programKeys.rules], onSuccess: () => setDeleting(null) });
  return (
    <>
      <PageHeader
        title="Earning rules"
        description="Points for more than orders: sign-up, birthdays, anniversaries, custom actions and referrals. Order points are set on the Points page."
        actions={editable && <Button leftSection={<Icon name="plus" size={16} />} onClick={() => setEditing({ rule: null })}>Add rule</Button>}
      />
      <ConfigTable
        label="Earning rules"
        rows={rules.data}
        loading={rules.isPending}
        error={rules.error}
        editable={editable}
        empty={{ icon: 'bolt', title: 'No earning rules yet', text: 'Reward sign-ups, birthdays or actions such as following you on Instagram.' }}
        onEdit={(rule) => setEditing({ rule })}
        onDelete={setDeleting}
        columns={[
          { label: 'Rule', render: (r) => r.name },
          { label: 'Kind', render: (r) => (r.kind === 'custom_action' ? `${KIND_LABEL[r.kind]} · ${r.key}` : KIND_LABEL[r.kind]) },
          { label: 'Points', render: (r) => fmt.points(r.points), align: 'right' },
          { label: 'Limit', render: (r) => (r.kind === 'custom_action' ? (r.perCustomerLimit ? `${r.perCustomerLimit} per customer` : 'Unlimited') : 'Once per year or customer') },
          { label: 'Status', render: (r) => <Badge color={r.active ? 'green' : 'gray'}>{r.active ? 'Active' : 'Paused'}</Badge> },
        ]}
      />
      {editing && <RuleDialog rule={editing.rule} onClose={() => setEditing(null)} />}
      {deleting && (
        <ConfirmDialog title={`Delete "${deleting.name}"?`} confirmLabel="Delete rule" color="red" pending={remove.pending} error={remove.error} onConfirm={() => void remove.submit(deleting.id)} onClose={() => setDeleting(null)}>
          Points already earned with this rule stay in customers' ledgers.
        </ConfirmDialog>
      )}
    </>
  );
}

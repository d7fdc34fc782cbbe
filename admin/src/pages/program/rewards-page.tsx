import { Badge, Button, NumberInput, Select, SimpleGrid, Switch, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { Reward, RewardType } from '../../api/models.js';
import { useRewards } from '../../api/profile.js';
import { deleteReward, programKeys, saveReward, type RewardInput } from '../../api/program.js';
import { ConfigTable } from '../../components/config-table.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { FormDialog } from '../../components/form-dialog.js';
import { Icon } from '../../components/icons.js';
import { PageHeader } from '../../components/page-header.js';
import { useFormat, type Formatter } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';
import { useAction } from '../../lib/use-action.js';
import { REWARD_TYPE_LABEL } from '../customer/dialogs/reward-dialogs.js';

const AMOUNT = /^\d{1,13}(\.\d{1,4})?$/;
const USES_VALUE: RewardType[] = ['fixed_amount', 'variable', 'cart_fixed_amount', 'price_adjustment'];

function valueOf(r: Reward, fmt: Formatter): string {
  if (r.type === 'percentage') return `${r.percentOff ?? '?'}% off`;
  if (r.type === 'free_shipping') return 'Free shipping';
  if (r.type === 'free_product') return r.productRef ? `Product ${r.productRef}` : 'Free product';
  if (r.type === 'variable') return `${fmt.money(r.value)} per ${fmt.points(r.pointsCost)}`;
  return fmt.money(r.value);
}

function RewardDialog({ reward, onClose }: { reward: Reward | null; onClose: () => void }) {
  const { me } = useSession();
  const currency = me.organization.currency;
  const [f, setF] = useState({
    name: reward?.name ?? '',
    type: reward?.type ?? 'fixed_amount',
    pointsCost: reward?.pointsCost ?? 100,
    amount: reward?.value?.amount ?? '',
    percentOff: reward?.percentOff ?? '',
    productRef: reward?.productRef ?? '',
    minimumOrder: reward?.minimumOrder?.amount ?? '',
    couponValidityDays: reward?.couponValidityDays ?? null,
    active: reward?.active ?? true,
  });
  const [touched, setTouched] = useState(false);
  const action = useAction({
    run: (body: RewardInput, key) => saveReward(reward?.id ?? null, body, key),
    invalidate: [programKeys.rewards],
    onSuccess: (r) => {
      notifications.show({ color: 'green', message: `Reward "${r.name}" saved.` });
      onClose();
    },
  });
  const needsValue = USES_VALUE.includes(f.type);
  const problems = {
    name: !f.name.trim() ? 'Required' : null,
    amount: needsValue && !AMOUNT.test(f.amount) ? 'An amount such as 5.00' : null,
    percentOff: f.type === 'percentage' && !/^\d{1,3}(\.\d{1,2})?$/.test(f.percentOff) ? 'A percentage such as 10' : null,
    minimumOrder: f.minimumOrder && !AMOUNT.test(f.minimumOrder) ? 'An amount such as 50.00' : null,
  };
  const submit = () => {
    setTouched(true);
    if (Object.values(problems).some(Boolean)) return;
    void action.submit({
      name: f.name.trim(),
      type: f.type,
      pointsCost: f.pointsCost,
      value: needsValue ? { amount: f.amount, currency } : null,
      percentOff: f.type === 'percentage' ? f.percentOff : null,
      productRef: f.type === 'free_product' && f.productRef ? f.productRef : null,
      maxPoints: reward?.maxPoints ?? null,
      minimumOrder: f.minimumOrder ? { amount: f.minimumOrder, currency } : null,
      couponValidityDays: f.couponValidityDays,
      codePrefix: reward?.codePrefix ?? null,
      active: f.active,
    });
  };
  const err = (k: keyof typeof problems) => (touched ? problems[k] : null);
  return (
    <FormDialog title={reward ? `Edit ${reward.name}` : 'Add a reward'} submitLabel="Save reward" pending={action.pending} error={action.error} onClose={onClose} onSubmit={submit}>
      <TextInput label="Name" value={f.name} onChange={(e) => setF({ ...f, name: e.currentTarget.value })} error={err('name')} data-autofocus />
      <SimpleGrid cols={2}>
        <Select label="Type" data={Object.entries(REWARD_TYPE_LABEL).map(([value, label]) => ({ value, label }))} value={f.type} onChange={(v) => v && setF({ ...f, type: v as RewardType })} allowDeselect={false} disabled={reward !== null} />
        <NumberInput label={f.type === 'variable' ? 'Points per step' : 'Points cost'} min={1} allowDecimal={false} value={f.pointsCost} onChange={(v) => setF({ ...f, pointsCost: Number(v) || 1 })} />
        {needsValue && <TextInput label={`Value (${currency})`} value={f.amount} onChange={(e) => setF({ ...f, amount: e.currentTarget.value })} error={err('amount')} inputMode="decimal" />}
        {f.type === 'percentage' && <TextInput label="Percent off" value={f.percentOff} onChange={(e) => setF({ ...f, percentOff: e.currentTarget.value })} error={err('percentOff')} inputMode="decimal" />}
        {f.type === 'free_product' && <TextInput label="Product reference" value={f.productRef} onChange={(e) => setF({ ...f, productRef: e.currentTarget.value })} />}
        <TextInput label={`Minimum order (${currency})`} description="Optional" value={f.minimumOrder} onChange={(e) => setF({ ...f, minimumOrder: e.currentTarget.value })} error={err('minimumOrder')} inputMode="decimal" />
        <NumberInput label="Coupon valid for (days)" description="Empty: never expires" min={1} max={3650} allowDecimal={false} value={f.couponValidityDays ?? ''} onChange={(v) => setF({ ...f, couponValidityDays: v === '' ? null : Number(v) })} />
      </SimpleGrid>
      <Switch label="Active (customers can redeem it)" checked={f.active} onChange={(e) => setF({ ...f, active: e.currentTarget.checked })} />
    </FormDialog>
  );
}

export function RewardsPage() {
  const fmt = useFormat();
  const { can } = useSession();
  const editable = can('settings:manage');
  const rewards = useRewards();
  const [editing, setEditing] = useState<{ reward: Reward | null } | null>(null);
  const [deleting, setDeleting] = useState<Reward | null>(null);
  const remove = useAction({ run: (id: string, key) => deleteReward(id, key), invalidate: [programKeys.rewards], onSuccess: () => setDeleting(null) });
  return (
    <>
      <PageHeader
        title="Rewards"
        description="What customers can spend their points on. Each redemption creates a coupon code that is easy to read aloud."
        actions={editable && <Button leftSection={<Icon name="plus" size={16} />} onClick={() => setEditing({ reward: null })}>Add reward</Button>}
      />
      <ConfigTable
        label="Rewards"
        rows={rewards.data}
        loading={rewards.isPending}
        error={rewards.error}
        editable={editable}
        empty={{ icon: 'gift', title: 'No rewards yet', text: 'Add a reward such as $5 off for 500 points.' }}
        onEdit={(reward) => setEditing({ reward })}
        onDelete={setDeleting}
        columns={[
          { label: 'Reward', render: (r) => r.name },
          { label: 'Type', render: (r) => REWARD_TYPE_LABEL[r.type] },
          { label: 'Value', render: (r) => valueOf(r, fmt) },
          { label: 'Points', render: (r) => fmt.number(r.pointsCost), align: 'right' },
          { label: 'Valid for', render: (r) => (r.couponValidityDays ? `${r.couponValidityDays} days` : 'No expiry') },
          { label: 'Status', render: (r) => <Badge color={r.active ? 'green' : 'gray'}>{r.active ? 'Active' : 'Inactive'}</Badge> },
        ]}
      />
      {editing && <RewardDialog reward={editing.reward} onClose={() => setEditing(null)} />}
      {deleting && (
        <ConfirmDialog title={`Delete "${deleting.name}"?`} confirmLabel="Delete reward" color="red" pending={remove.pending} error={remove.error} onConfirm={() => void remove.submit(deleting.id)} onClose={() => setDeleting(null)}>
          Customers can no longer redeem it. Coupons already issued keep working.
        </ConfirmDialog>
      )}
    </>
  );
}

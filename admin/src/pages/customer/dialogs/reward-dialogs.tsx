import { Alert, Button, Group, Modal, Select, Stack, Switch, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { customerKeys } from '../../../api/customers.js';
import type { Coupon, CouponResult, Customer, Reward, RewardType } from '../../../api/models.js';
import { customerScope, giveReward, redeemReward, revokeCoupon, useRewards } from '../../../api/profile.js';
import { ConfirmDialog } from '../../../components/confirm-dialog.js';
import { ErrorAlert } from '../../../components/feedback.js';
import { Icon } from '../../../components/icons.js';
import { PointsInput } from '../../../components/points-input.js';
import { parseWholePoints, useFormat, type Formatter } from '../../../lib/format.js';
import { useAction } from '../../../lib/use-action.js';

/** Rewards staff cannot give outside a checkout (the customer picks or the cart decides the value). */
export const NOT_GIVABLE: RewardType[] = ['variable', 'cart_fixed_amount', 'free_product', 'price_adjustment'];

export const REWARD_TYPE_LABEL: Record<RewardType, string> = {
  fixed_amount: 'Amount off',
  percentage: 'Percentage off',
  free_shipping: 'Free shipping',
  free_product: 'Free product',
  variable: 'Variable (customer picks points)',
  cart_fixed_amount: 'Cart amount off',
  price_adjustment: 'Price adjustment',
};

export function rewardLabel(r: Reward, fmt: Formatter): string {
  return r.type === 'variable' ? `${r.name} · ${fmt.points(r.pointsCost)} per step` : `${r.name} · ${fmt.points(r.pointsCost)}`;
}

function couponToast(reply: CouponResult, what: string, fmt: Formatter) {
  const balance = reply.balances ? ` Balance: ${fmt.points(reply.balances.active)}.` : '';
  notifications.show({ color: 'green', title: what, message: `Coupon ${reply.coupon.code} created.${balance}` });
}

export function RedeemRewardDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const fmt = useFormat();
  const rewards = useRewards();
  const [rewardId, setRewardId] = useState<string | null>(null);
  const [points, setPoints] = useState('');
  const [touched, setTouched] = useState(false);
  const active = (rewards.data ?? []).filter((r) => r.active);
  const reward = active.find((r) => r.id === rewardId) ?? null;
  const spend = parseWholePoints(points, 10_000_000, fmt);
  const cost = reward ? (reward.type === 'variable' ? (spend.value ?? 0) : reward.pointsCost) : 0;
  const short = reward && cost > customer.balances.active;
  const action = useAction({
    run: (body: { rewardId: string; points?: number }, key) => redeemReward(customer.id, body, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: (r) => {
      couponToast(r, 'Reward redeemed', fmt);
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!reward || short || (reward.type === 'variable' && spend.value === null)) return;
    void action.submit({ rewardId: reward.id, ...(reward.type === 'variable' && spend.value !== null ? { points: spend.value } : {}) });
  };
  return (
    <Modal opened onClose={onClose} title="Redeem a reward for the customer" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error ?? rewards.error} />
          <Text size="sm" c="dimmed">
            Creates a coupon as if the customer redeemed it: the points are deducted from their active balance ({fmt.points(customer.balances.active)}).
          </Text>
          <Select label="Reward" placeholder={rewards.isPending ? 'Loading rewards…' : 'Choose a reward'} data={active.map((r) => ({ value: r.id, label: rewardLabel(r, fmt) }))} value={rewardId} onChange={setRewardId} error={touched && !reward ? 'Choose a reward' : null} searchable required nothingFoundMessage="No active rewards" />
          {reward?.type === 'variable' && (
            <PointsInput
              label="Points to spend"
              description={`A whole number; the customer has ${fmt.points(customer.balances.active)}`}
              value={points}
              onChange={setPoints}
              required
              error={(touched || points.trim() !== '') && spend.error ? spend.error : null}
            />
          )}
          {short && (
            <Alert color="orange" icon={<Icon name="alert" />}>
              This reward costs {fmt.points(cost)}; the customer has {fmt.points(customer.balances.active)} ({fmt.points(cost - customer.balances.active)} short).
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending} disabled={Boolean(short)}>
              Redeem{reward ? ` for ${fmt.points(cost)}` : ''}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function GiveRewardDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const fmt = useFormat();
  const rewards = useRewards();
  const [rewardId, setRewardId] = useState<string | null>(null);
  const [deduct, setDeduct] = useState(false);
  const [touched, setTouched] = useState(false);
  const active = (rewards.data ?? []).filter((r) => r.active);
  const reward = active.find((r) => r.id === rewardId) ?? null;
  const action = useAction({
    run: (body: { rewardId: string; deductPoints: boolean }, key) => giveReward(customer.id, body, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: (r) => {
      couponToast(r, 'Reward given', fmt);
      onClose();
    },
  });
  const short = reward && deduct && reward.pointsCost > customer.balances.active;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!reward || short) return;
    void action.submit({ rewardId: reward.id, deductPoints: deduct });
  };
  return (
    <Modal opened onClose={onClose} title="Give a reward" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error ?? rewards.error} />
          <Select
            label="Reward"
            placeholder={rewards.isPending ? 'Loading rewards…' : 'Choose a reward'}
            data={active.map((r) => ({ value: r.id, label: rewardLabel(r, fmt), disabled: NOT_GIVABLE.includes(r.type) }))}
            value={rewardId}
            onChange={setRewardId}
            error={touched && !reward ? 'Choose a reward' : null}
            required
            searchable
          />
          <Text size="xs" c="dimmed">
            Variable, cart amount, free product and price adjustment rewards cannot be given: they depend on the customer's cart.
          </Text>
          <Switch label="Deduct the reward's points" description={deduct ? 'The points cost is taken from the active balance' : 'A goodwill reward: the balance does not change'} checked={deduct} onChange={(e) => setDeduct(e.currentTarget.checked)} />
          {short && <Alert color="orange">The customer has {fmt.points(customer.balances.active)}; this reward costs {fmt.points(reward.pointsCost)}.</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending} disabled={Boolean(short)}>
              Give reward
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function RevokeCouponDialog({ customerId, coupon, onClose }: { customerId: string; coupon: Coupon; onClose: () => void }) {
  const fmt = useFormat();
  const action = useAction({
    run: (id: string, key) => revokeCoupon(id, key),
    invalidate: [customerScope(customerId), customerKeys.all],
    onSuccess: (r) => {
      const restored = r.pointsRestored ?? 0;
      const balance = r.balances ? ` New balance: ${fmt.points(r.balances.active)}.` : '';
      notifications.show({ color: 'green', title: 'Coupon revoked', message: restored > 0 ? `${coupon.code} revoked; ${fmt.number(restored)} points restored.${balance}` : `${coupon.code} revoked.` });
      onClose();
    },
  });
  return (
    <ConfirmDialog title={`Revoke coupon ${coupon.code}?`} confirmLabel="Revoke coupon" color="red" pending={action.pending} error={action.error} onConfirm={() => void action.submit(coupon.id)} onClose={onClose}>
      {coupon.pointsCost > 0
        ? `The code stops working at checkout and the ${fmt.points(coupon.pointsCost)} spent on it are returned to the customer's balance.`
        : 'The code stops working at checkout. It cost no points, so the balance does not change.'}
    </ConfirmDialog>
  );
}

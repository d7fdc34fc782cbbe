import { Alert, Button, Checkbox, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { customerKeys } from '../../../api/customers.js';
import type { Customer } from '../../../api/models.js';
import { customerScope, recalculateTier, releaseManualTier, useTierSettings, useTiers } from '../../../api/profile.js';
import { assignTier, setTierProgress, useTierChangePreview } from '../../../api/tier-changes.js';
import { ConfirmDialog } from '../../../components/confirm-dialog.js';
import { ErrorAlert } from '../../../components/feedback.js';
import { useFormat } from '../../../lib/format.js';
import { basisHint, basisTextOk, toBasisValue, type BasisValue } from '../../../lib/tier-units.js';
import { useAction } from '../../../lib/use-action.js';

type TierView = NonNullable<Customer['tier']>;

/** What the progress field holds, in the program's measure. */
function progressLabel(basis: string | undefined): string {
  if (basis === 'points_earned') return 'Points earned';
  if (basis === 'orders_count') return 'Orders placed';
  return basis === 'amount_spent' ? 'Amount spent' : 'Progress';
}

/** The customer's tier as the rules see it: the label, why, and a pending downgrade with its date. */
export function TierStanding({ tier }: { tier: TierView | null }) {
  const fmt = useFormat();
  if (!tier) return <Text size="sm">No tier yet.</Text>;
  const pending = tier.downgradePending;
  return (
    <Stack gap={4} data-testid="tier-standing">
      <Text size="sm">
        Tier now: <strong>{tier.name}</strong>
        {tier.manual ? (tier.manualTier && tier.manualTier.id !== tier.id ? ` (manually assigned ${tier.manualTier.name}, raised by progress)` : ' (manually assigned)') : ''}
      </Text>
      <Text size="sm" c="dimmed">
        {fmt.text(tier.reason)}
      </Text>
      {pending ? (
        <Alert color="yellow" p="xs" data-testid="downgrade-pending">
          <Text size="sm">
            Downgrade pending: to <strong>{pending.to?.name ?? 'no tier'}</strong> on {fmt.date(pending.at)}. {fmt.text(pending.reason)}
          </Text>
        </Alert>
      ) : null}
    </Stack>
  );
}

export function ChangeTierDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const tiers = useTiers();
  const [tierId, setTierId] = useState<string | null>(customer.tier?.id ?? null);
  const basis = useTierSettings().data?.basis;
  const shown = customer.tier ? String(customer.tier.progress) : '';
  const [progress, setProgress] = useState(shown);
  const [grant, setGrant] = useState(true);
  const [touched, setTouched] = useState(false);
  const progressOk = progress.trim() === '' || basisTextOk(progress, basis);
  const changesTier = tierId !== null && tierId !== (customer.tier?.id ?? null);
  const preview = useTierChangePreview(customer.id, changesTier ? tierId : null);
  const reward = changesTier ? (preview.data?.entryReward ?? null) : null;
  const tierName = tiers.data?.find((t) => t.id === tierId)?.name ?? 'the tier';
  const action = useAction({
    run: (body: { tierId: string; tierProgress?: BasisValue; grantEntryReward?: boolean; progressOnly: boolean }, key) =>
      body.progressOnly && body.tierProgress !== undefined ? setTierProgress(customer.id, { tierProgress: body.tierProgress }, key) : assignTier(customer.id, { tierId: body.tierId, ...(body.tierProgress !== undefined ? { tierProgress: body.tierProgress } : {}), ...(body.grantEntryReward === false ? { grantEntryReward: false } : {}) }, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: (_, body) => {
      notifications.show({ color: 'green', title: body.progressOnly ? 'Tier progress saved' : 'Tier changed', message: body.progressOnly ? 'The tier follows the program rules; it is not manually assigned.' : `${tierName} is now manually assigned.` });
      onClose();
    },
  });
  const changedProgress = progress.trim() !== '' && progress.trim() !== shown;
  // Editing the progress alone keeps the tier automatic; choosing a tier makes it manual.
  const progressOnly = !changesTier && changedProgress && !customer.tier?.manual;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!tierId || !progressOk) return;
    void action.submit({ tierId, progressOnly, ...(changedProgress ? { tierProgress: toBasisValue(progress, basis) } : {}), ...(reward && !grant ? { grantEntryReward: false } : {}) });
  };
  return (
    <Modal opened onClose={onClose} title="Change tier" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error ?? tiers.error ?? preview.error} />
          <TierStanding tier={customer.tier} />
          <Text size="sm" c="dimmed">
            Assigning a tier sets it now, up or down, and labels it manually assigned: the daily assessment never lowers it, and qualifying activity can still raise it. Changing only the progress keeps the tier automatic.
          </Text>
          <Select label="Tier" placeholder={tiers.isPending ? 'Loading tiers…' : 'Choose a tier'} data={(tiers.data ?? []).map((t) => ({ value: t.id, label: t.name }))} value={tierId} onChange={setTierId} error={touched && !tierId ? 'Choose a tier' : null} required data-autofocus />
          <TextInput label="Tier progress" description={`${progressLabel(basis)} in the current qualification period; leave as is to keep it`} value={progress} onChange={(e) => setProgress(e.currentTarget.value)} error={!progressOk ? basisHint(basis) : null} inputMode="decimal" />
          {reward ? (
            <Alert color="blue" p="xs" data-testid="entry-reward">
              <Stack gap={6}>
                <Text size="sm">
                  {grant ? `This will also add ${reward.points.toLocaleString('en-US')} points: ${reward.tierName} entry reward.` : `The ${reward.tierName} entry reward (${reward.points.toLocaleString('en-US')} points) will not be added; the timeline records that it was skipped.`}
                </Text>
                <Checkbox label={`Add the ${reward.tierName} entry reward`} checked={grant} onChange={(e) => setGrant(e.currentTarget.checked)} />
              </Stack>
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending}>
              {progressOnly ? 'Save progress' : 'Assign tier'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function ReleaseManualTierDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const [result, setResult] = useState<Customer | null>(null);
  const action = useAction({
    run: (_: null, key) => releaseManualTier(customer.id, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: (next) => setResult(next),
  });
  if (result) {
    return (
      <Modal opened onClose={onClose} title="Manual tier released">
        <Stack>
          <TierStanding tier={result.tier} />
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      </Modal>
    );
  }
  return (
    <ConfirmDialog title="Release the manual tier?" confirmLabel="Release" pending={action.pending} error={action.error} onConfirm={() => void action.submit(null)} onClose={onClose}>
      {`Removes the "manually assigned" label from ${customer.tier?.name ?? 'the tier'}. If the customer's progress reaches a higher tier, they move up now; otherwise the tier follows the program rules and may go down at the daily assessment. You will see the result right away.`}
    </ConfirmDialog>
  );
}

export function RecalculateTierDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const action = useAction({
    run: (_: null, key) => recalculateTier(customer.id, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'Tier progress recalculated from the customer history. The tier did not change.' });
      onClose();
    },
  });
  return (
    <ConfirmDialog title="Recalculate tier progress?" confirmLabel="Recalculate" pending={action.pending} error={action.error} onConfirm={() => void action.submit(null)} onClose={onClose}>
      {`Tier progress is rebuilt from the customer's orders and ledger, undoing any manual edit of the progress value. The tier (${customer.tier?.name ?? 'none'}) and its label do not change.`}
    </ConfirmDialog>
  );
}

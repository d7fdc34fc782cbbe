import { Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { customerKeys } from '../../../api/customers.js';
import type { Customer } from '../../../api/models.js';
import { customerScope, recalculateTier, releaseManualTier, setTier, useTierSettings, useTiers } from '../../../api/profile.js';
import { ConfirmDialog } from '../../../components/confirm-dialog.js';
import { ErrorAlert } from '../../../components/feedback.js';
import { basisHint, basisTextOk, toBasisValue, type BasisValue } from '../../../lib/tier-units.js';
import { useAction } from '../../../lib/use-action.js';

export function ChangeTierDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const tiers = useTiers();
  const [tierId, setTierId] = useState<string | null>(customer.tier?.id ?? null);
  const basis = useTierSettings().data?.basis;
  const shown = customer.tier ? String(customer.tier.progress) : '';
  const [progress, setProgress] = useState(shown);
  const [touched, setTouched] = useState(false);
  const progressOk = progress.trim() === '' || basisTextOk(progress, basis);
  const action = useAction({
    run: (body: { tierId: string; tierProgress?: BasisValue }, key) => setTier(customer.id, body, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: () => {
      const name = tiers.data?.find((t) => t.id === tierId)?.name ?? 'the tier';
      notifications.show({ color: 'green', title: 'Tier changed', message: `${name} is now manually assigned.` });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!tierId || !progressOk) return;
    const changedProgress = progress.trim() !== '' && progress.trim() !== shown;
    void action.submit({ tierId, ...(changedProgress ? { tierProgress: toBasisValue(progress, basis) } : {}) });
  };
  return (
    <Modal opened onClose={onClose} title="Change tier" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error ?? tiers.error} />
          <Text size="sm" c="dimmed">
            A manually assigned tier is a floor: the customer still moves up when they qualify, and is not moved down until you release it.
          </Text>
          <Select label="Tier" placeholder={tiers.isPending ? 'Loading tiers…' : 'Choose a tier'} data={(tiers.data ?? []).map((t) => ({ value: t.id, label: t.name }))} value={tierId} onChange={setTierId} error={touched && !tierId ? 'Choose a tier' : null} required data-autofocus />
          <TextInput label="Tier progress" description="Points, amount spent or orders, depending on how tiers are measured; leave as is to keep it" value={progress} onChange={(e) => setProgress(e.currentTarget.value)} error={!progressOk ? basisHint(basis) : null} inputMode="decimal" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending}>
              Assign tier
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function ReleaseManualTierDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const action = useAction({
    run: (_: null, key) => releaseManualTier(customer.id, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'Manual tier released; the tier now follows the program rules.' });
      onClose();
    },
  });
  return (
    <ConfirmDialog title="Release the manual tier?" confirmLabel="Release" pending={action.pending} error={action.error} onConfirm={() => void action.submit(null)} onClose={onClose}>
      {`${customer.tier?.name ?? 'The tier'} stays for now; from the next assessment the customer's tier follows their progress again and may go down.`}
    </ConfirmDialog>
  );
}

export function RecalculateTierDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const action = useAction({
    run: (_: null, key) => recalculateTier(customer.id, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'Tier progress recalculated from the customer history.' });
      onClose();
    },
  });
  return (
    <ConfirmDialog title="Recalculate tier progress?" confirmLabel="Recalculate" pending={action.pending} error={action.error} onConfirm={() => void action.submit(null)} onClose={onClose}>
      Tier progress is rebuilt from the customer's orders and ledger, undoing any manual edit of the progress value.
    </ConfirmDialog>
  );
}

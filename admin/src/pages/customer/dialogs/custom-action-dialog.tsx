import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { customerKeys } from '../../../api/customers.js';
import type { Customer, LedgerEntry } from '../../../api/models.js';
import { customerScope, removeCustomAction, triggerCustomAction, useCustomActions } from '../../../api/profile.js';
import { ConfirmDialog } from '../../../components/confirm-dialog.js';
import { ErrorAlert } from '../../../components/feedback.js';
import { useFormat } from '../../../lib/format.js';
import { useAction } from '../../../lib/use-action.js';

export function TriggerCustomActionDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const rules = useCustomActions();
  const fmt = useFormat();
  const [actionKey, setActionKey] = useState<string | null>(null);
  const action = useAction({
    run: (k: string, key) => triggerCustomAction(customer.id, k, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'Custom action recorded; its points appear in the ledger.' });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (actionKey) void action.submit(actionKey);
  };
  return (
    <Modal opened onClose={onClose} title="Trigger a custom action">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error ?? rules.error} />
          <Text size="sm" c="dimmed">
            Use this when your campaign did not report the action (e.g. an Instagram follow). The rule's points and limits apply.
          </Text>
          <Select
            label="Custom action"
            placeholder={rules.isPending ? 'Loading…' : 'Choose an action'}
            data={(rules.data ?? []).map((r) => ({ value: r.key, label: r.points ? `${r.name} (${fmt.points(r.points)})` : r.name }))}
            value={actionKey}
            onChange={setActionKey}
            nothingFoundMessage="No custom action rules yet"
            required
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending} disabled={!actionKey}>
              Trigger action
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function RemoveCustomActionDialog({ customerId, entry, onClose }: { customerId: string; entry: LedgerEntry; onClose: () => void }) {
  const fmt = useFormat();
  const action = useAction({
    run: (entryId: string, key) => removeCustomAction(customerId, entryId, key),
    invalidate: [customerScope(customerId), customerKeys.all],
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'Custom action removed and its points reversed.' });
      onClose();
    },
  });
  return (
    <ConfirmDialog title="Remove this custom action?" confirmLabel="Remove and reverse points" color="red" pending={action.pending} error={action.error} onConfirm={() => void action.submit(entry.id)} onClose={onClose}>
      {`A reversal entry of ${fmt.signedPoints(-entry.points)} points is added to the ledger; the original entry stays for the record.`}
    </ConfirmDialog>
  );
}

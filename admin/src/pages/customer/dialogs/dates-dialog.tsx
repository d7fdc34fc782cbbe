import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import type { Customer } from '../../../api/models.js';
import { customerScope, updateCustomer } from '../../../api/profile.js';
import { ErrorAlert } from '../../../components/feedback.js';
import { useAction } from '../../../lib/use-action.js';

const valid = (v: string) => v === '' || /^\d{4}-\d{2}-\d{2}$/.test(v);

export function DatesDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const [birthday, setBirthday] = useState(customer.birthday ?? '');
  const [anniversary, setAnniversary] = useState(customer.anniversary ?? '');
  const action = useAction({
    run: (body: { birthday: string | null; anniversary: string | null }, key) => updateCustomer(customer.id, body, key),
    invalidate: [customerScope(customer.id)],
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'Dates saved.' });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!valid(birthday) || !valid(anniversary)) return;
    void action.submit({ birthday: birthday || null, anniversary: anniversary || null });
  };
  return (
    <Modal opened onClose={onClose} title="Birthday and anniversary">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error} />
          <Text size="sm" c="dimmed">
            Rewards for these dates are given at most once per calendar year, whatever edits are made. Clear a field to remove the date.
          </Text>
          <TextInput type="date" label="Birthday" value={birthday} onChange={(e) => setBirthday(e.currentTarget.value)} error={!valid(birthday) ? 'Use a full date' : null} data-autofocus />
          <TextInput type="date" label="Anniversary" value={anniversary} onChange={(e) => setAnniversary(e.currentTarget.value)} error={!valid(anniversary) ? 'Use a full date' : null} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending}>
              Save dates
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { customerKeys } from '../../../api/customers.js';
import type { Customer } from '../../../api/models.js';
import { anonymize, customerScope, setReporting } from '../../../api/profile.js';
import { ConfirmDialog } from '../../../components/confirm-dialog.js';
import { ErrorAlert } from '../../../components/feedback.js';
import { Icon } from '../../../components/icons.js';
import { useAction } from '../../../lib/use-action.js';

export function ReportingDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const excluding = !customer.excludedFromReports;
  const action = useAction({
    run: (excluded: boolean, key) => setReporting(customer.id, excluded, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: (_, excluded) => {
      notifications.show({ color: 'green', message: excluded ? 'Excluded from reports and exports.' : 'Included in reports and exports again.' });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title={excluding ? 'Exclude from reports?' : 'Include in reports again?'}
      confirmLabel={excluding ? 'Exclude from reports' : 'Include in reports'}
      pending={action.pending}
      error={action.error}
      onConfirm={() => void action.submit(excluding)}
      onClose={onClose}
    >
      {excluding
        ? 'Use this for staff, test or wholesale accounts. The customer is left out of the analytics cards and of exports by default; their points and rewards keep working.'
        : 'The customer counts in analytics and appears in exports again.'}
    </ConfirmDialog>
  );
}

export function AnonymizeDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const email = customer.email ?? '';
  const matches = email !== '' && typed.trim().toLowerCase() === email.toLowerCase();
  const action = useAction({
    run: (confirmEmail: string, key) => anonymize(customer.id, confirmEmail, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: () => {
      notifications.show({ color: 'green', title: 'Customer anonymized', message: 'Personal data was erased; points history and reports stay correct.' });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (matches) void action.submit(typed.trim());
  };
  return (
    <Modal opened onClose={onClose} title="Anonymize this customer" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error} />
          <Alert color="red" icon={<Icon name="alert" />} title="This is permanent and cannot be undone">
            <Text size="sm">
              The name becomes "Anonymous", the email is replaced by a unique non-routable address, and phone, birthday, anniversary and notes are cleared. The ledger and the activity timeline stay, so balances and reports remain correct.
            </Text>
          </Alert>
          <TextInput
            label={`Type the customer's email (${email || 'no email on file'}) to confirm`}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
            data-autofocus
            error={typed && !matches ? 'This does not match the email on file' : null}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={action.pending} disabled={!matches}>
              Anonymize permanently
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

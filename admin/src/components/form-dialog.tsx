import { Button, Group, Modal, Stack } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { ErrorAlert } from './feedback.js';

/** A dialog around a form: the API error on top, Cancel and the submit action at the bottom. */
export function FormDialog({ title, submitLabel, pending, error, onSubmit, onClose, children, size = 'lg' }: { title: string; submitLabel: string; pending: boolean; error: unknown; onSubmit: () => void; onClose: () => void; children: ReactNode; size?: string }) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <Modal opened onClose={onClose} title={title} size={size}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={error} />
          {children}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={pending}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

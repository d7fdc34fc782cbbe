import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ErrorAlert } from './feedback.js';

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  color?: string;
  pending: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
  disabled?: boolean;
}

/** A yes/no dialog that states the consequence and shows the API's message on failure. */
export function ConfirmDialog({ title, children, confirmLabel, color, pending, error, onConfirm, onClose, disabled }: ConfirmDialogProps) {
  return (
    <Modal opened onClose={onClose} title={title}>
      <Stack>
        <ErrorAlert error={error} />
        {typeof children === 'string' ? <Text size="sm">{children}</Text> : children}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color={color} loading={pending} onClick={onConfirm} disabled={disabled} data-autofocus>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

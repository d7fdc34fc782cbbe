import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import type { Customer } from '../../../api/models.js';
import { customerScope, saveNote } from '../../../api/profile.js';
import { ErrorAlert } from '../../../components/feedback.js';
import { useAction } from '../../../lib/use-action.js';

export const NOTE_LIMIT = 2000;

export function NoteDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const [text, setText] = useState(customer.note?.text ?? '');
  const over = text.length > NOTE_LIMIT;
  const action = useAction({
    run: (t: string, key) => saveNote(customer.id, t, key),
    invalidate: [customerScope(customer.id)],
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'Note saved.' });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!over) void action.submit(text);
  };
  return (
    <Modal opened onClose={onClose} title="Internal note" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="xs">
          <ErrorAlert error={action.error} />
          <Textarea
            label="Note for your team"
            description="Never shown to the customer"
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            autosize
            minRows={5}
            maxRows={14}
            error={over ? `Notes are limited to ${NOTE_LIMIT.toLocaleString()} characters` : null}
            data-autofocus
          />
          <Text size="xs" c={over ? 'var(--patron-negative)' : 'dimmed'} ta="right" aria-live="polite">
            {text.length.toLocaleString()} / {NOTE_LIMIT.toLocaleString()} characters
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending} disabled={over}>
              Save note
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

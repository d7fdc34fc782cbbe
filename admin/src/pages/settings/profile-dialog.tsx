import { Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { updateMe, type MeChanges } from '../../api/access.js';
import type { Me } from '../../api/models.js';
import { ErrorAlert } from '../../components/feedback.js';
import { ME_KEY } from '../../lib/session.js';
import { useAction } from '../../lib/use-action.js';

/** The signed-in person's own name, email and password (theirs in every organization). */
export function ProfileDialog({ me, onClose }: { me: Me; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState(me.user?.name ?? '');
  const [email, setEmail] = useState(me.user?.email ?? '');
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [touched, setTouched] = useState(false);
  const action = useAction({
    run: (input: MeChanges, key) => updateMe(input, key),
    onSuccess: (next) => {
      qc.setQueryData(ME_KEY, next);
      notifications.show({ color: 'green', message: 'Your details are saved.' });
      onClose();
    },
  });
  const emailChanges = email.trim() !== (me.user?.email ?? '');
  const needsCurrent = emailChanges || newPassword !== '';
  const newPasswordError = touched && newPassword !== '' && newPassword.length < 10 ? 'Use at least 10 characters' : null;
  const currentError = touched && needsCurrent && !currentPassword ? 'Enter your current password to change your email or password' : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (newPasswordError || (needsCurrent && !currentPassword) || (newPassword !== '' && newPassword.length < 10)) return;
    void action.submit({
      name: name.trim(),
      ...(emailChanges ? { email: email.trim() } : {}),
      ...(newPassword ? { newPassword } : {}),
      ...(needsCurrent ? { currentPassword } : {}),
    });
  };
  return (
    <Modal opened onClose={onClose} title="Your profile" size="md">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error} />
          <Text size="sm" c="dimmed">
            Your name, email and password are yours in every organization you belong to. A new email or password signs you out everywhere else.
          </Text>
          <TextInput label="Name" autoComplete="name" value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
          <TextInput label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput
            label="New password"
            description="Leave empty to keep your password"
            autoComplete="new-password"
            value={newPassword}
            onChange={(e) => setNewPassword(e.currentTarget.value)}
            error={newPasswordError}
          />
          {needsCurrent && (
            <PasswordInput
              label="Current password"
              autoComplete="current-password"
              required
              value={currentPassword}
              onChange={(e) => setCurrentPassword(e.currentTarget.value)}
              error={currentError}
            />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

import { Badge, Button, Card, Checkbox, Group, Menu, Modal, PasswordInput, SegmentedControl, SimpleGrid, Skeleton, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { createUser, updateUser, usersKey, useUsers, type NewUser } from '../../api/access.js';
import type { Permission, User } from '../../api/models.js';
import { ErrorAlert } from '../../components/feedback.js';
import { Icon } from '../../components/icons.js';
import { PageHeader } from '../../components/page-header.js';
import { useFormat } from '../../lib/format.js';
import { PERMISSION_LABELS, STAFF_PERMISSIONS, TEMPLATES } from '../../lib/permissions.js';
import { useSession } from '../../lib/session.js';
import { useAction } from '../../lib/use-action.js';

function PermissionPicker({ value, onChange }: { value: Permission[]; onChange: (v: Permission[]) => void }) {
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Text size="sm" fw={500}>
          Start from a template:
        </Text>
        {Object.entries(TEMPLATES).map(([id, t]) => (
          <Button key={id} size="compact-xs" variant="light" onClick={() => onChange(t.permissions)}>
            {t.label}
          </Button>
        ))}
      </Group>
      <Checkbox.Group label="Permissions" value={value} onChange={(v) => onChange(v as Permission[])}>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
          {STAFF_PERMISSIONS.map((p) => (
            <Checkbox key={p} value={p} label={PERMISSION_LABELS[p]} description={p} />
          ))}
        </SimpleGrid>
      </Checkbox.Group>
    </Stack>
  );
}

function UserDialog({ user, onClose }: { user: User | null; onClose: () => void }) {
  const editing = user !== null;
  const [email, setEmail] = useState(user?.email ?? '');
  const [name, setName] = useState(user?.name ?? '');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'admin' | 'staff'>(user?.role ?? 'staff');
  const [permissions, setPermissions] = useState<Permission[]>((user?.permissions as Permission[] | undefined) ?? TEMPLATES.support!.permissions);
  const [touched, setTouched] = useState(false);
  const action = useAction({
    run: (input: NewUser, key) => (editing ? updateUser(user.id, { name: input.name, role: input.role, permissions: input.permissions }, key) : createUser(input, key)),
    invalidate: [usersKey],
    onSuccess: (u) => {
      notifications.show({ color: 'green', message: editing ? `Saved ${u.email}.` : `${u.email} can now sign in.` });
      onClose();
    },
  });
  const emailError = !editing && touched && !/^\S+@\S+\.\S+$/.test(email) ? 'Enter an email address' : null;
  const passwordError = !editing && touched && password.length < 10 ? 'Use at least 10 characters' : null;
  const permError = touched && role === 'staff' && permissions.length === 0 ? 'Pick at least one permission' : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if ((!editing && (!/^\S+@\S+\.\S+$/.test(email) || password.length < 10)) || (role === 'staff' && !permissions.length)) return;
    void action.submit({ email: email.trim(), password, name: name.trim() || undefined, role, permissions: role === 'staff' ? permissions : undefined });
  };
  return (
    <Modal opened onClose={onClose} title={editing ? `Edit ${user.email}` : 'Add a user'} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error} />
          {!editing && <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={emailError} data-autofocus />}
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
          {!editing && (
            <PasswordInput label="Initial password" description="Share it privately; at least 10 characters" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={passwordError} />
          )}
          <Stack gap={4}>
            <Text size="sm" fw={500} id="role-label">
              Role
            </Text>
            <SegmentedControl
              aria-labelledby="role-label"
              value={role}
              onChange={(v) => setRole(v as 'admin' | 'staff')}
              data={[
                { value: 'staff', label: 'Staff' },
                { value: 'admin', label: 'Admin (everything)' },
              ]}
            />
          </Stack>
          {role === 'staff' && <PermissionPicker value={permissions} onChange={setPermissions} />}
          {permError && (
            <Text c="var(--patron-negative)" size="sm">
              {permError}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending}>
              {editing ? 'Save changes' : 'Add user'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function UsersPage() {
  const users = useUsers();
  const fmt = useFormat();
  const { me } = useSession();
  const [dialog, setDialog] = useState<{ user: User | null } | null>(null);
  const toggle = useAction({
    run: (u: User, key) => updateUser(u.id, { disabled: !u.disabled }, key),
    invalidate: [usersKey],
    onSuccess: (u) => notifications.show({ message: u.disabled ? `${u.email} can no longer sign in.` : `${u.email} can sign in again.` }),
  });
  return (
    <>
      <PageHeader
        title="Users"
        description="People who can sign in to this organization, and what they may do."
        actions={
          <Button leftSection={<Icon name="plus" size={16} />} onClick={() => setDialog({ user: null })}>
            Add user
          </Button>
        }
      />
      <ErrorAlert error={toggle.error} />
      <Card p={0}>
        {users.isError ? (
          <ErrorAlert error={users.error} onRetry={() => void users.refetch()} />
        ) : (
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Permissions</Table.Th>
                  <Table.Th>Added</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.isPending &&
                  Array.from({ length: 3 }, (_, i) => (
                    <Table.Tr key={i}>
                      <Table.Td colSpan={5}>
                        <Skeleton h={28} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                {users.data?.map((u) => (
                  <Table.Tr key={u.id} opacity={u.disabled ? 0.6 : 1}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {u.name || u.email}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {u.email}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={6}>
                        <Badge color={u.role === 'admin' ? 'brand' : 'gray'}>{u.role === 'admin' ? 'Admin' : 'Staff'}</Badge>
                        {u.disabled && <Badge color="red">Disabled</Badge>}
                      </Group>
                    </Table.Td>
                    <Table.Td maw={360}>
                      <Text size="xs" c="dimmed">
                        {u.role === 'admin' ? 'Everything' : u.permissions.map((p) => PERMISSION_LABELS[p as Permission] ?? p).join(', ')}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{fmt.date(u.createdAt)}</Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      {u.id !== me.user?.id && (
                        <Menu position="bottom-end">
                          <Menu.Target>
                            <Button variant="subtle" size="compact-sm" aria-label={`Actions for ${u.email}`}>
                              <Icon name="dots" />
                            </Button>
                          </Menu.Target>
                          <Menu.Dropdown>
                            <Menu.Item onClick={() => setDialog({ user: u })}>Edit role and permissions</Menu.Item>
                            <Menu.Item color={u.disabled ? undefined : 'red'} onClick={() => void toggle.submit(u)}>
                              {u.disabled ? 'Re-enable access' : 'Disable access'}
                            </Menu.Item>
                          </Menu.Dropdown>
                        </Menu>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      {dialog && <UserDialog user={dialog.user} onClose={() => setDialog(null)} />}
    </>
  );
}

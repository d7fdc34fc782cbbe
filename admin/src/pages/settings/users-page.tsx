import { Alert, Badge, Button, Card, Checkbox, Group, Menu, Modal, SegmentedControl, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import {
  createInvitation,
  invitationLink,
  invitationsKey,
  revokeInvitation,
  updateUser,
  useInvitations,
  usersKey,
  useUsers,
  type CreatedInvitation,
  type NewInvitation,
} from '../../api/access.js';
import type { Invitation, Permission, User } from '../../api/models.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorAlert } from '../../components/feedback.js';
import { CopyableValue } from '../../components/copyable-value.js';
import { Icon } from '../../components/icons.js';
import { PageHeader } from '../../components/page-header.js';
import { SettingsTable } from '../../components/settings-table.js';
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

function RoleAndPermissions({
  role,
  onRole,
  permissions,
  onPermissions,
  error,
}: {
  role: 'admin' | 'staff';
  onRole: (r: 'admin' | 'staff') => void;
  permissions: Permission[];
  onPermissions: (p: Permission[]) => void;
  error: string | null;
}) {
  return (
    <>
      <Stack gap={4}>
        <Text size="sm" fw={500} id="role-label">
          Role
        </Text>
        <SegmentedControl
          aria-labelledby="role-label"
          value={role}
          onChange={(v) => onRole(v as 'admin' | 'staff')}
          data={[
            { value: 'staff', label: 'Staff' },
            { value: 'admin', label: 'Admin (everything)' },
          ]}
        />
      </Stack>
      {role === 'staff' && <PermissionPicker value={permissions} onChange={onPermissions} />}
      {error && (
        <Text c="var(--patron-negative)" size="sm">
          {error}
        </Text>
      )}
    </>
  );
}

/** Role and permissions in this organization; the person's name, email and password are theirs. */
function EditMembershipDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const [role, setRole] = useState<'admin' | 'staff'>(user.role);
  const [permissions, setPermissions] = useState<Permission[]>(user.role === 'staff' ? (user.permissions as Permission[]) : TEMPLATES.support!.permissions);
  const [touched, setTouched] = useState(false);
  const action = useAction({
    run: (input: { role: 'admin' | 'staff'; permissions?: string[] }, key) => updateUser(user.id, input, key),
    invalidate: [usersKey],
    onSuccess: (u) => {
      notifications.show({ color: 'green', message: `Saved ${u.email}.` });
      onClose();
    },
  });
  const permError = touched && role === 'staff' && permissions.length === 0 ? 'Pick at least one permission' : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (role === 'staff' && !permissions.length) return;
    void action.submit({ role, permissions: role === 'staff' ? permissions : undefined });
  };
  return (
    <Modal opened onClose={onClose} title={`Edit ${user.email}`} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error} />
          <Text size="sm" c="dimmed">
            What {user.name || user.email} may do in this organization. Their name, email and password are their own.
          </Text>
          <RoleAndPermissions role={role} onRole={setRole} permissions={permissions} onPermissions={setPermissions} error={permError} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending}>
              Save changes
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function InviteDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (created: CreatedInvitation) => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'admin' | 'staff'>('staff');
  const [permissions, setPermissions] = useState<Permission[]>(TEMPLATES.support!.permissions);
  const [touched, setTouched] = useState(false);
  const action = useAction({
    run: (input: NewInvitation, key) => createInvitation(input, key),
    invalidate: [invitationsKey],
    onSuccess: (created) => onCreated(created),
  });
  const validEmail = /^\S+@\S+\.\S+$/.test(email.trim());
  const emailError = touched && !validEmail ? 'Enter an email address' : null;
  const permError = touched && role === 'staff' && permissions.length === 0 ? 'Pick at least one permission' : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!validEmail || (role === 'staff' && !permissions.length)) return;
    void action.submit({ email: email.trim(), role, permissions: role === 'staff' ? permissions : undefined });
  };
  return (
    <Modal opened onClose={onClose} title="Invite someone" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error} />
          <TextInput
            label="Email"
            description="They accept with this email: someone new chooses a password, someone with a Patron sign-in signs in and accepts."
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={emailError}
            data-autofocus
          />
          <RoleAndPermissions role={role} onRole={setRole} permissions={permissions} onPermissions={setPermissions} error={permError} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending}>
              Create invitation
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function LinkShownOnce({ created, onClose }: { created: CreatedInvitation; onClose: () => void }) {
  const link = invitationLink(created);
  return (
    <Modal opened onClose={onClose} title={`Invitation for ${created.invitation.email}`} closeOnClickOutside={false} size="lg">
      <Stack>
        <Alert color="yellow" icon={<Icon name="alert" />} title="Copy the link now">
          Patron does not send email: pass this link to {created.invitation.email} privately. It is shown only now, works once, and expires on{' '}
          {new Date(created.invitation.expiresAt).toLocaleDateString()}. If it is lost, invite them again; the old link stops working.
        </Alert>
        <CopyableValue value={link} testId="invitation-link" />
        <Group justify="flex-end">
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function PendingInvitations() {
  const invitations = useInvitations();
  const fmt = useFormat();
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const revoke = useAction({
    run: (id: string, key) => revokeInvitation(id, key),
    invalidate: [invitationsKey],
    onSuccess: (i) => {
      notifications.show({ message: `Revoked the invitation for ${i.email}; its link no longer works.` });
      setRevoking(null);
    },
  });
  if (invitations.isError) return <ErrorAlert error={invitations.error} onRetry={() => void invitations.refetch()} />;
  if (!invitations.data?.length) return null;
  return (
    <>
      <Title order={2} size="h4" mt="xl" mb="sm">
        Pending invitations
      </Title>
      <Card p={0}>
        <SettingsTable columns={['Email', 'Role', 'Invited', 'Expires', { hidden: 'Actions' }]} minWidth={640} label="Pending invitations">
{invitations.data.map((i) => (
            <Table.Tr key={i.id}>
              <Table.Td>
                <Text size="sm">{i.email}</Text>
              </Table.Td>
              <Table.Td>
                <Group gap={6}>
                  <Badge color={i.role === 'admin' ? 'brand' : 'gray'}>{i.role === 'admin' ? 'Admin' : 'Staff'}</Badge>
                  {i.status === 'expired' && <Badge color="red">Expired</Badge>}
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{fmt.date(i.createdAt)}</Text>
                {i.invitedBy && (
                  <Text size="xs" c="dimmed">
                    by {i.invitedBy.name}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{fmt.date(i.expiresAt)}</Text>
              </Table.Td>
              <Table.Td ta="right">
                <Button variant="subtle" color="red" size="compact-sm" onClick={() => setRevoking(i)} aria-label={`Revoke invitation for ${i.email}`}>
                  Revoke
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </SettingsTable>
      </Card>
      {revoking && (
        <ConfirmDialog
          title={`Revoke the invitation for ${revoking.email}?`}
          confirmLabel="Revoke invitation"
          color="red"
          pending={revoke.pending}
          error={revoke.error}
          onConfirm={() => void revoke.submit(revoking.id)}
          onClose={() => {
            revoke.clear();
            setRevoking(null);
          }}
        >
          The link stops working at once. You can invite them again later.
        </ConfirmDialog>
      )}
    </>
  );
}

export function UsersPage() {
  const users = useUsers();
  const fmt = useFormat();
  const { me } = useSession();
  const [editing, setEditing] = useState<User | null>(null);
  const [inviting, setInviting] = useState(false);
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const toggle = useAction({
    run: (u: User, key) => updateUser(u.id, { disabled: !u.disabled }, key),
    invalidate: [usersKey],
    onSuccess: (u) => notifications.show({ message: u.disabled ? `${u.email} no longer has access to this organization.` : `${u.email} has access again.` }),
  });
  return (
    <>
      <PageHeader
        title="Users"
        description="People with access to this organization, and what they may do here. People join by accepting an invitation."
        actions={
          <Button leftSection={<Icon name="plus" size={16} />} onClick={() => setInviting(true)}>
            Invite someone
          </Button>
        }
      />
      <ErrorAlert error={toggle.error} />
      <Card p={0}>
        {users.isError ? (
          <ErrorAlert error={users.error} onRetry={() => void users.refetch()} />
        ) : (
          <SettingsTable columns={['User', 'Role', 'Permissions', 'Added', { hidden: 'Actions' }]} minWidth={720} loading={users.isPending} skeletonRows={3} highlightOnHover>
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
                        <Menu.Item onClick={() => setEditing(u)}>Edit role and permissions</Menu.Item>
                        <Menu.Item color={u.disabled ? undefined : 'red'} onClick={() => void toggle.submit(u)}>
                          {u.disabled ? 'Re-enable access here' : 'Disable access here'}
                        </Menu.Item>
                      </Menu.Dropdown>
                    </Menu>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </SettingsTable>
        )}
      </Card>
      <PendingInvitations />
      {editing && <EditMembershipDialog user={editing} onClose={() => setEditing(null)} />}
      {inviting && (
        <InviteDialog
          onClose={() => setInviting(false)}
          onCreated={(c) => {
            setInviting(false);
            setCreated(c);
          }}
        />
      )}
      {created && <LinkShownOnce created={created} onClose={() => setCreated(null)} />}
    </>
  );
}

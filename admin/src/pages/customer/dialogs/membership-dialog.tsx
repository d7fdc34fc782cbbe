import { Alert, Button, Group, Modal, Radio, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { customerKeys } from '../../../api/customers.js';
import type { Customer, MembershipType } from '../../../api/models.js';
import { changeMembership, customerScope } from '../../../api/profile.js';
import { useMembershipPreview } from '../../../api/tier-changes.js';
import { ErrorAlert } from '../../../components/feedback.js';
import { useAction } from '../../../lib/use-action.js';
import { MEMBERSHIP_LABEL } from '../../customers/grid-state.js';

/** The only allowed moves: guest→member, guest→left, member→left, left→member. */
const MOVES: Record<MembershipType, MembershipType[]> = { guest: ['member', 'left'], member: ['left'], left: ['member'] };

const CONSEQUENCE: Record<MembershipType, string> = {
  member: 'Earns and redeems points under the program rules. A customer coming back from "Left program" gets their frozen balance back.',
  left: 'Cannot earn or redeem. The balance is frozen and restored if they rejoin.',
  guest: 'Earns only if guest earning is on; cannot redeem.',
};

export function MembershipDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const allowed = customer.allowedMembershipMoves.length ? customer.allowedMembershipMoves : MOVES[customer.membershipType];
  const [type, setType] = useState<MembershipType | null>(allowed[0] ?? null);
  const preview = useMembershipPreview(customer.id, type === 'member' ? type : null);
  const bonus = type === 'member' ? (preview.data?.welcomeBonus ?? null) : null;
  const action = useAction({
    run: (t: MembershipType, key) => changeMembership(customer.id, t, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: (_, t) => {
      notifications.show({ color: 'green', message: `Membership changed to ${MEMBERSHIP_LABEL[t]}.` });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (type) void action.submit(type);
  };
  return (
    <Modal opened onClose={onClose} title="Change membership type">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error ?? preview.error} />
          <Text size="sm">
            Currently <strong>{MEMBERSHIP_LABEL[customer.membershipType]}</strong>. Only the moves the program allows from here are offered.
          </Text>
          {allowed.length === 0 ? (
            <Text size="sm" c="dimmed">
              No move is possible from this membership type.
            </Text>
          ) : (
            <Radio.Group label="New membership type" value={type} onChange={(v) => setType(v as MembershipType)}>
              <Stack gap="sm" mt={6}>
                {allowed.map((t) => (
                  <Radio key={t} value={t} label={MEMBERSHIP_LABEL[t]} description={CONSEQUENCE[t]} />
                ))}
              </Stack>
            </Radio.Group>
          )}
          {bonus ? (
            <Alert color="blue" p="xs" data-testid="welcome-bonus">
              <Text size="sm">{`This will also add ${bonus.points.toLocaleString('en-US')} points: ${bonus.ruleName} (once per customer).`}</Text>
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending} disabled={!type}>
              Change to {type ? MEMBERSHIP_LABEL[type] : '…'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

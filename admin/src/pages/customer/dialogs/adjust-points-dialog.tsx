import { Alert, Button, Group, Modal, SegmentedControl, Stack, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { customerKeys } from '../../../api/customers.js';
import type { AdjustmentInput, Customer } from '../../../api/models.js';
import { adjustPoints, customerScope } from '../../../api/profile.js';
import { ErrorAlert } from '../../../components/feedback.js';
import { Icon } from '../../../components/icons.js';
import { PointsInput } from '../../../components/points-input.js';
import { parseWholePoints, useFormat } from '../../../lib/format.js';
import { useAction } from '../../../lib/use-action.js';

/** The most one adjustment may move (the API's limit). */
const MAX_POINTS = 10_000_000;

const REASONS = ['Missing points for an order', 'Goodwill gesture', 'Correction after a refund', 'Promotion or contest', 'Other'];

export function AdjustPointsDialog({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const fmt = useFormat();
  const [direction, setDirection] = useState<'add' | 'deduct'>('add');
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState('');
  const [visible, setVisible] = useState(false);
  const [countsTowardTier, setCountsTowardTier] = useState(false);
  const [touched, setTouched] = useState(false);
  const action = useAction({
    run: (body: AdjustmentInput, key) => adjustPoints(customer.id, body, key),
    invalidate: [customerScope(customer.id), customerKeys.all],
    onSuccess: (r, input) => {
      const verb = input.direction === 'add' ? 'Added' : 'Deducted';
      notifications.show({ color: 'green', title: 'Points adjusted', message: `${verb} ${fmt.number(input.points)} points. New balance: ${fmt.number(r.balances.active)} points.` });
      onClose();
    },
  });
  const parsed = parseWholePoints(points, MAX_POINTS, fmt);
  const amount = parsed.value ?? 0;
  const amountOk = parsed.value !== null;
  const overdraw = direction === 'deduct' && amountOk && amount > customer.balances.active;
  // Typing shows a problem at once when the text can never be a number of points; an empty field waits for submit.
  const pointsError = (touched || points.trim() !== '') && parsed.error ? parsed.error : overdraw ? `The active balance is ${fmt.points(customer.balances.active)}; deduct at most that` : null;
  const reasonError = touched && !reason.trim() ? 'Say why the points change (kept internal)' : null;
  // Only a change that can be made is previewed: never a balance below zero.
  const after = amountOk && !overdraw ? customer.balances.active + (direction === 'add' ? amount : -amount) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!amountOk || overdraw || !reason.trim()) return;
    void action.submit({
      direction,
      points: amount,
      reason: reason.trim(),
      ...(message.trim() ? { customerMessage: message.trim() } : {}),
      visibleToCustomer: visible,
      countsTowardTier,
    });
  };
  return (
    <Modal opened onClose={onClose} title="Adjust points" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error} />
          <SegmentedControl
            aria-label="Add or deduct points"
            fullWidth
            value={direction}
            onChange={(v) => setDirection(v as 'add' | 'deduct')}
            data={[
              { value: 'add', label: 'Add points' },
              { value: 'deduct', label: 'Deduct points' },
            ]}
          />
          <PointsInput label="Points" description={`A whole number from 1 to ${fmt.number(MAX_POINTS)}`} value={points} onChange={setPoints} error={pointsError} required data-autofocus />
          <TextInput
            label="Reason (internal)"
            description="Staff see this in the ledger and timeline"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={reasonError}
            required
            maxLength={500}
            list="adjust-reasons"
          />
          <datalist id="adjust-reasons">
            {REASONS.map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
          <Textarea label="Message to the customer" description="Optional; shown in their history when visible" value={message} onChange={(e) => setMessage(e.currentTarget.value)} maxLength={500} autosize minRows={2} />
          <Switch label="Visible to the customer" description="You can change this later in the Points tab" checked={visible} onChange={(e) => setVisible(e.currentTarget.checked)} />
          <Switch label="Counts toward tier progress" description="Points-based tiers include this adjustment" checked={countsTowardTier} onChange={(e) => setCountsTowardTier(e.currentTarget.checked)} />
          <Alert variant="light" color={direction === 'add' ? 'brand' : 'orange'} icon={<Icon name="info" />}>
            <Text size="sm">
              Active balance {fmt.points(customer.balances.active)}
              {overdraw && <> — this deduction is more than the customer has, so it cannot be made</>}
              {after !== null && (
                <>
                  {' → '}
                  <strong>{fmt.points(after)}</strong> after this adjustment
                </>
              )}
              .
            </Text>
          </Alert>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending} color={direction === 'deduct' ? 'orange' : undefined}>
              {direction === 'add' ? 'Add points' : 'Deduct points'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

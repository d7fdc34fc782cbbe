import { Button, Group, Modal, NumberInput, Paper, Progress, Radio, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { bulkAdjust, bulkMembership, customerKeys, fetchJob, toFilterObject, type BulkReply, type BulkTarget, type GridFilters } from '../../api/customers.js';
import type { MembershipType } from '../../api/models.js';
import { ErrorAlert } from '../../components/feedback.js';
import { Can } from '../../components/require-permission.js';
import { useAction } from '../../lib/use-action.js';
import { MEMBERSHIP_LABEL } from './grid-state.js';

type Kind = 'membership' | 'points';

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

function Outcome({ changed, refused, total, onDone }: { changed: number; refused: number; total: number; onDone: () => void }) {
  return (
    <Stack>
      <Text size="sm" role="status">
        Changed {changed} of {total} customers.
        {refused > 0 ? ` ${refused} were left as they were because the move is not allowed for them (for example member → guest, or anonymized customers).` : ''}
      </Text>
      <Group justify="flex-end">
        <Button onClick={onDone}>Done</Button>
      </Group>
    </Stack>
  );
}

function JobProgress({ reply, onDone }: { reply: BulkReply; onDone: () => void }) {
  const jobId = reply.status === 'queued' ? reply.jobId : null;
  const job = useQuery({
    queryKey: ['job', jobId],
    queryFn: ({ signal }) => fetchJob(jobId!, signal),
    enabled: jobId !== null,
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'done' || q.state.data.status === 'dead') ? false : 1000),
  });
  if (!jobId) return <Outcome changed={reply.changed} refused={reply.refused} total={reply.total} onDone={onDone} />;
  const d = job.data;
  const done = num(d?.progress?.done) ?? num(d?.result?.changed) ?? 0;
  const total = num(d?.progress?.total) ?? reply.total;
  const finished = d?.status === 'done' || d?.status === 'dead';
  if (d?.status === 'done' && d.result) {
    return <Outcome changed={num(d.result.changed) ?? num(d.result.ok) ?? done} refused={num(d.result.refused) ?? 0} total={num(d.result.total) ?? total} onDone={onDone} />;
  }
  const pct = total > 0 ? Math.round((done / total) * 100) : 5;
  return (
    <Stack>
      <Text size="sm" role="status" aria-live="polite">
        {d?.status === 'dead' ? `The job failed: ${d.lastError ?? 'see the server log'}` : `Working… ${done} of ${total} customers`}
      </Text>
      <Progress value={pct} animated={!finished} aria-label="Bulk job progress" />
      {job.error ? <ErrorAlert error={job.error} /> : null}
      <Group justify="flex-end">
        <Button onClick={onDone} variant={finished ? 'filled' : 'default'}>
          {finished ? 'Done' : 'Close (keeps running)'}
        </Button>
      </Group>
    </Stack>
  );
}

function BulkDialog({ kind, selectedIds, filters, onClose }: { kind: Kind; selectedIds: string[]; filters: GridFilters; onClose: () => void }) {
  const [scope, setScope] = useState<'selection' | 'filter'>(selectedIds.length ? 'selection' : 'filter');
  const [type, setType] = useState<MembershipType>('member');
  const [direction, setDirection] = useState<'add' | 'deduct'>('add');
  const [points, setPoints] = useState<number | string>('');
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [reply, setReply] = useState<BulkReply | null>(null);
  const target: BulkTarget = scope === 'selection' ? { ids: selectedIds } : { filter: toFilterObject(filters) };
  const action = useAction({
    run: (t: BulkTarget, key) => (kind === 'membership' ? bulkMembership(t, type, key) : bulkAdjust(t, { direction, points: Number(points), reason: reason.trim() }, key)),
    invalidate: [customerKeys.all],
    onSuccess: (r) => setReply(r),
  });
  const pointsError = touched && kind === 'points' && !(Number.isInteger(Number(points)) && Number(points) > 0) ? 'Enter a whole number of points above 0' : null;
  const reasonError = touched && kind === 'points' && !reason.trim() ? 'Say why the points change' : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (kind === 'points' && (!(Number.isInteger(Number(points)) && Number(points) > 0) || !reason.trim())) return;
    void action.submit(target);
  };
  const title = kind === 'membership' ? 'Change membership type' : 'Adjust points';
  return (
    <Modal opened onClose={onClose} title={title} size="lg">
      {reply ? (
        <JobProgress
          reply={reply}
          onDone={() => {
            notifications.show({ color: 'green', message: `${title}: finished.` });
            onClose();
          }}
        />
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <ErrorAlert error={action.error} />
            <Radio.Group label="Apply to" value={scope} onChange={(v) => setScope(v as 'selection' | 'filter')}>
              <Stack gap={6} mt={6}>
                <Radio value="selection" label={`The ${selectedIds.length} selected customers`} disabled={!selectedIds.length} />
                <Radio value="filter" label="Every customer matching the current search and filters" />
              </Stack>
            </Radio.Group>
            {kind === 'membership' ? (
              <Radio.Group label="New membership type" description="Customers for whom the move is not allowed are skipped (e.g. member → guest)." value={type} onChange={(v) => setType(v as MembershipType)}>
                <Stack gap={6} mt={6}>
                  {(['member', 'left'] as const).map((t) => (
                    <Radio key={t} value={t} label={MEMBERSHIP_LABEL[t]} />
                  ))}
                </Stack>
              </Radio.Group>
            ) : (
              <>
                <SegmentedControl
                  aria-label="Add or deduct"
                  value={direction}
                  onChange={(v) => setDirection(v as 'add' | 'deduct')}
                  data={[
                    { value: 'add', label: 'Add points' },
                    { value: 'deduct', label: 'Deduct points' },
                  ]}
                />
                <NumberInput label="Points per customer" min={1} allowDecimal={false} allowNegative={false} value={points} onChange={setPoints} error={pointsError} required />
                <TextInput label="Reason (internal)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={reasonError} required maxLength={500} />
              </>
            )}
            <Paper withBorder p="sm" bg="var(--mantine-color-yellow-0)">
              <Text size="sm">
                {scope === 'selection' ? `${selectedIds.length} customers` : 'All customers matching the filters'} will be changed. Each change is recorded in the customer's timeline with your name.
              </Text>
            </Paper>
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={action.pending}>
                {kind === 'membership' ? `Change to ${MEMBERSHIP_LABEL[type]}` : direction === 'add' ? 'Add points' : 'Deduct points'}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

export function BulkActions({ selectedIds, filters, onClear }: { selectedIds: string[]; filters: GridFilters; onClear: () => void }) {
  const [open, setOpen] = useState<Kind | null>(null);
  return (
    <>
      <Group gap="xs">
        <Can permission="customers:write">
          <Button size="sm" variant="light" onClick={() => setOpen('membership')}>
            Change membership…
          </Button>
        </Can>
        <Can permission="points:adjust">
          <Button size="sm" variant="light" onClick={() => setOpen('points')}>
            Adjust points…
          </Button>
        </Can>
        {selectedIds.length > 0 && (
          <Button size="sm" variant="subtle" onClick={onClear}>
            Clear selection
          </Button>
        )}
      </Group>
      {open && <BulkDialog kind={open} selectedIds={selectedIds} filters={filters} onClose={() => setOpen(null)} />}
    </>
  );
}

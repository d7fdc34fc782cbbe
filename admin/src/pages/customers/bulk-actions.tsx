import { Button, Group, Modal, Paper, Progress, Radio, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { bulkAdjust, bulkMembership, customerKeys, fetchJob, toFilterObject, type BulkReply, type BulkTarget, type GridFilters } from '../../api/customers.js';
import { useEarningRules } from '../../api/program.js';
import type { MembershipType } from '../../api/models.js';
import { ErrorAlert } from '../../components/feedback.js';
import { PointsInput } from '../../components/points-input.js';
import { Can } from '../../components/require-permission.js';
import { useAction } from '../../lib/use-action.js';
import { parseWholePoints, useFormat } from '../../lib/format.js';
import { filtersSettled, hasFilters, MEMBERSHIP_LABEL } from './grid-state.js';

/** The grid's total for the current filters ({ value, exact: false } above 10,000: an estimate). */
export interface MatchCount {
  value: number;
  exact: boolean;
}

/**
 * The points a guest earns on becoming a member (the active signup rule), for the dialogs
 * that turn guests into members: null when there is no such bonus.
 */
export function useWelcomeBonus(): { points: number; name: string } | null {
  const rules = useEarningRules();
  const rule = rules.data?.find((r) => r.kind === 'signup' && r.active && r.points > 0);
  return rule ? { points: rule.points, name: rule.name } : null;
}

export function welcomeBonusText(bonus: { points: number }, fmtNumber: (n: number) => string): string {
  return `This will also add ${fmtNumber(bonus.points)} points welcome bonus to each guest who becomes a member (once per customer; members who already had it get nothing more).`;
}

type Kind = 'membership' | 'points';

/** The most a bulk adjustment may move per customer (the API's limit). */
const MAX_BULK_POINTS = 10_000_000;

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
  const client = useQueryClient();
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
  // The grid and the cards show the new balances and memberships as soon as the job is over.
  useEffect(() => {
    if (finished) void client.invalidateQueries({ queryKey: customerKeys.all });
  }, [finished, client]);
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

/** "1,234" or "about 1,234": how many customers a change reaches. */
function countText(fmt: ReturnType<typeof useFormat>, n: MatchCount): string {
  return `${n.exact ? '' : 'about '}${fmt.number(n.value)}`;
}

const customers = (n: number) => (n === 1 ? 'customer' : 'customers');

function BulkDialog({ kind, selectedIds, filters, matching: given, onClose, onFinished }: { kind: Kind; selectedIds: string[]; filters: GridFilters; matching: MatchCount | null; onClose: () => void; onFinished: () => void }) {
  const fmt = useFormat();
  // A count is stated only for the filters the person last gave: while a new search is still on
  // its way to the page, the previous filter's count is not this change's reach.
  const matching = filtersSettled(filters) ? given : null;
  const [scope, setScope] = useState<'selection' | 'filter'>(selectedIds.length ? 'selection' : 'filter');
  const [type, setType] = useState<MembershipType>('member');
  const [direction, setDirection] = useState<'add' | 'deduct'>('add');
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const [touched, setTouched] = useState(false);
  const [reply, setReply] = useState<BulkReply | null>(null);
  const bonus = useWelcomeBonus();
  const target: BulkTarget = scope === 'selection' ? { ids: selectedIds } : { filter: toFilterObject(filters) };
  const action = useAction({
    run: (t: BulkTarget, key) => (kind === 'membership' ? bulkMembership(t, type, key) : bulkAdjust(t, { direction, points: parsed.value ?? 0, reason: reason.trim() }, key)),
    invalidate: [customerKeys.all],
    onSuccess: (r) => setReply(r),
  });
  // How many customers this change reaches, stated before anything happens.
  const reach: MatchCount | null = scope === 'selection' ? { value: selectedIds.length, exact: true } : matching;
  const reachText = reach ? `${countText(fmt, reach)} ${customers(reach.value)}` : null;
  // No filter and nothing selected: every customer of the organization. Typing the count confirms it.
  const wholeOrganization = scope === 'filter' && !hasFilters(filters);
  const confirmed = !wholeOrganization || (reach !== null && typed.replace(/[^0-9]/g, '') === String(reach.value));
  const confirmError = touched && !confirmed ? `Type ${reach ? fmt.number(reach.value) : 'the number of customers'} to confirm` : null;
  const parsed = parseWholePoints(points, MAX_BULK_POINTS, fmt);
  // As in the single adjustment: text that can never be a number of points is flagged while typing; an empty field waits for submit.
  const pointsError = kind === 'points' && (touched || points.trim() !== '') ? parsed.error : null;
  const reasonError = touched && kind === 'points' && !reason.trim() ? 'Say why the points change' : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (kind === 'points' && (parsed.value === null || !reason.trim())) return;
    if (!confirmed || !reach) return;
    void action.submit(target);
  };
  const title = kind === 'membership' ? 'Change membership type' : 'Adjust points';
  const matchingLabel = `Every customer matching the current search and filters${matching ? ` (${countText(fmt, matching)})` : ''}`;
  return (
    <Modal opened onClose={onClose} title={title} size="lg">
      {reply ? (
        <JobProgress
          reply={reply}
          onDone={() => {
            notifications.show({ color: 'green', message: `${title}: finished.` });
            onFinished();
            onClose();
          }}
        />
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <ErrorAlert error={action.error} />
            {selectedIds.length > 0 ? (
              <Radio.Group label="Apply to" value={scope} onChange={(v) => setScope(v as 'selection' | 'filter')}>
                <Stack gap={6} mt={6}>
                  <Radio value="selection" label={`The ${fmt.number(selectedIds.length)} selected ${customers(selectedIds.length)}`} />
                  <Radio value="filter" label={matchingLabel} />
                </Stack>
              </Radio.Group>
            ) : (
              <Radio.Group label="Apply to" value="filter">
                <Stack gap={6} mt={6}>
                  <Radio value="filter" label={hasFilters(filters) ? matchingLabel : `Every customer of the organization${matching ? ` (${countText(fmt, matching)})` : ''}`} readOnly />
                </Stack>
              </Radio.Group>
            )}
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
                <PointsInput label="Points per customer" description={`A whole number from 1 to ${fmt.number(MAX_BULK_POINTS)}`} value={points} onChange={setPoints} error={pointsError} required />
                <TextInput label="Reason (internal)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={reasonError} required maxLength={500} />
              </>
            )}
            <Paper withBorder p="sm" bg="var(--mantine-color-yellow-0)" data-testid="bulk-reach">
              <Stack gap={6}>
                <Text size="sm" fw={600}>
                  {reachText ? `This will change ${reachText}.` : 'Counting the customers this will change…'}
                </Text>
                {wholeOrganization && (
                  <Text size="sm">No search, filter or selection: this reaches every customer of the organization.</Text>
                )}
                {kind === 'membership' && type === 'member' && bonus && <Text size="sm">{welcomeBonusText(bonus, (n) => fmt.number(n))}</Text>}
                <Text size="sm" c="dimmed">
                  Each change is recorded in the customer&apos;s timeline with your name.
                </Text>
              </Stack>
            </Paper>
            {wholeOrganization && reach && (
              <TextInput
                label={`Type ${fmt.number(reach.value)} to confirm`}
                value={typed}
                onChange={(e) => setTyped(e.currentTarget.value)}
                error={confirmError}
                inputMode="numeric"
                autoComplete="off"
              />
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={action.pending} disabled={!reach}>
                {kind === 'membership' ? `Change to ${MEMBERSHIP_LABEL[type]}` : direction === 'add' ? 'Add points' : 'Deduct points'}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

export function BulkActions({ selectedIds, filters, matching, onClear }: { selectedIds: string[]; filters: GridFilters; matching: MatchCount | null; onClear: () => void }) {
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
      {open && <BulkDialog kind={open} selectedIds={selectedIds} filters={filters} matching={matching} onClose={() => setOpen(null)} onFinished={onClear} />}
    </>
  );
}

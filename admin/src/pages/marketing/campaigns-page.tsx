import { Badge, Button, Card, Center, Group, Modal, Radio, Select, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { useSegments } from '../../api/customers.js';
import { cancelCampaign, createCampaign, PUSH_MESSAGE_LIMIT, useCampaigns, walletKeys, type CampaignInput, type WalletCampaign } from '../../api/wallet.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { EmptyState, ErrorAlert } from '../../components/feedback.js';
import { PageHeader } from '../../components/page-header.js';
import { useFormat } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';
import { useAction } from '../../lib/use-action.js';

const STATUS: Record<WalletCampaign['status'], { label: string; color: string }> = {
  scheduled: { label: 'Scheduled', color: 'blue' },
  sending: { label: 'Sending', color: 'yellow' },
  sent: { label: 'Sent', color: 'green' },
  cancelled: { label: 'Cancelled', color: 'gray' },
};

/** `datetime-local` input value (local time) to an ISO instant, or null when empty or not a date. */
function localToIso(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function CampaignDialog({ onClose }: { onClose: () => void }) {
  const segments = useSegments();
  const [name, setName] = useState('');
  const [message, setMessage] = useState('');
  const [audience, setAudience] = useState<'all' | 'segment'>('all');
  const [segmentId, setSegmentId] = useState<string | null>(null);
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [sendAt, setSendAt] = useState('');
  const [touched, setTouched] = useState(false);
  const trimmed = message.trim();
  const problems = {
    name: name.trim() ? (name.trim().length > 120 ? 'At most 120 characters' : null) : 'Give the campaign a name staff will recognize',
    message: trimmed ? (trimmed.length > PUSH_MESSAGE_LIMIT ? `A push is limited to ${PUSH_MESSAGE_LIMIT} characters` : null) : 'Write the message customers will see',
    segment: audience === 'segment' && !segmentId ? 'Choose a segment' : null,
    sendAt: when === 'later' ? (!localToIso(sendAt) ? 'Choose the date and time to send' : new Date(sendAt).getTime() <= Date.now() ? 'Choose a time to come' : null) : null,
  };
  const action = useAction({
    run: (body: CampaignInput, key) => createCampaign(body, key),
    invalidate: [walletKeys.campaigns],
    onSuccess: (c) => {
      notifications.show({ color: 'green', message: c.status === 'scheduled' ? `Campaign "${c.name}" scheduled.` : `Campaign "${c.name}" is being sent.` });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.values(problems).some(Boolean)) return;
    void action.submit({
      name: name.trim(),
      message: trimmed,
      segmentId: audience === 'segment' ? segmentId : null,
      ...(when === 'later' ? { sendAt: localToIso(sendAt)! } : {}),
    });
  };
  const show = (p: string | null) => (touched ? p : null);
  return (
    <Modal opened onClose={onClose} title="New push campaign" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <ErrorAlert error={action.error} />
          <TextInput label="Name" description="For staff: shown on the campaign list and the customers' timelines" value={name} onChange={(e) => setName(e.currentTarget.value)} error={show(problems.name)} data-autofocus />
          <div>
            <Textarea label="Message" description="Shown on each customer's wallet pass" value={message} onChange={(e) => setMessage(e.currentTarget.value)} autosize minRows={3} error={show(problems.message) ?? (trimmed.length > PUSH_MESSAGE_LIMIT ? problems.message : null)} />
            <Text size="xs" c={trimmed.length > PUSH_MESSAGE_LIMIT ? 'var(--patron-negative)' : 'dimmed'} ta="right" aria-live="polite">
              {trimmed.length} / {PUSH_MESSAGE_LIMIT} characters
            </Text>
          </div>
          <Radio.Group label="Who" value={audience} onChange={(v) => setAudience(v as 'all' | 'segment')}>
            <Group mt={4}>
              <Radio value="all" label="Every member" />
              <Radio value="segment" label="Members of a segment" />
            </Group>
          </Radio.Group>
          {audience === 'segment' && (
            <Select
              label="Segment"
              placeholder={segments.isPending ? 'Loading segments…' : 'Choose a segment'}
              data={(segments.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              value={segmentId}
              onChange={setSegmentId}
              searchable
              nothingFoundMessage="No saved segment: save one from the customer list's filters"
              error={show(problems.segment)}
            />
          )}
          <Radio.Group label="When" value={when} onChange={(v) => setWhen(v as 'now' | 'later')}>
            <Group mt={4}>
              <Radio value="now" label="Now" />
              <Radio value="later" label="At a time" />
            </Group>
          </Radio.Group>
          {when === 'later' && <TextInput type="datetime-local" label="Send at (your time)" value={sendAt} onChange={(e) => setSendAt(e.currentTarget.value)} error={show(problems.sendAt)} />}
          <Text size="xs" c="dimmed">
            Guests and customers who left the program are never messaged. A customer who leaves the program or the segment before the campaign reaches them is skipped.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending}>
              {when === 'now' ? 'Send campaign' : 'Schedule campaign'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function CancelDialog({ campaign, onClose }: { campaign: WalletCampaign; onClose: () => void }) {
  const action = useAction({ run: (_: null, key) => cancelCampaign(campaign.id, key), invalidate: [walletKeys.campaigns], onSuccess: onClose });
  return (
    <ConfirmDialog title="Cancel campaign" confirmLabel="Cancel campaign" color="red" pending={action.pending} error={action.error} onConfirm={() => void action.submit(null)} onClose={onClose}>
      <Text size="sm">
        &quot;{campaign.name}&quot; will not be sent to customers it has not reached yet; they are recorded as having left the campaign.
      </Text>
    </ConfirmDialog>
  );
}

/** Push campaigns: one message to the wallet passes of a segment's members (or every member), now or later. */
export function CampaignsPage() {
  const fmt = useFormat();
  const { can } = useSession();
  const campaigns = useCampaigns();
  const [creating, setCreating] = useState(false);
  const [cancelling, setCancelling] = useState<WalletCampaign | null>(null);
  const items = campaigns.data?.pages.flatMap((p) => p.items) ?? [];
  const canWrite = can('customers:write');
  return (
    <>
      <PageHeader
        title="Push campaigns"
        description="A message to the wallet passes of a segment's members, now or at a time you choose."
        actions={canWrite && <Button onClick={() => setCreating(true)}>New campaign</Button>}
      />
      <Card>
        {campaigns.isError && <ErrorAlert error={campaigns.error} onRetry={() => void campaigns.refetch()} />}
        {campaigns.isSuccess && items.length === 0 && (
          <EmptyState icon="bell" title="No campaigns yet">
            A campaign sends one message to every member of a segment who keeps the pass in Apple Wallet or Google Wallet.
          </EmptyState>
        )}
        {items.length > 0 && (
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="xs" fz="sm" data-testid="campaigns-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Campaign</Table.Th>
                  <Table.Th>Audience</Table.Th>
                  <Table.Th>Send at</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">Reached</Table.Th>
                  <Table.Th ta="right">Sent</Table.Th>
                  <Table.Th ta="right">Failed</Table.Th>
                  <Table.Th ta="right">Skipped</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((c) => (
                  <Table.Tr key={c.id} data-testid="campaign-row">
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {c.name}
                      </Text>
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {fmt.text(c.message)}
                      </Text>
                    </Table.Td>
                    <Table.Td>{c.segmentId ? (c.segmentName ?? 'A deleted segment') : 'Every member'}</Table.Td>
                    <Table.Td>{fmt.dateTime(c.sendAt)}</Table.Td>
                    <Table.Td>
                      <Badge color={STATUS[c.status].color}>{STATUS[c.status].label}</Badge>
                    </Table.Td>
                    <Table.Td ta="right" className="patron-tabular">
                      {c.reached}
                    </Table.Td>
                    <Table.Td ta="right" className="patron-tabular">
                      {c.sent}
                    </Table.Td>
                    <Table.Td ta="right" className="patron-tabular">
                      {c.failed}
                    </Table.Td>
                    <Table.Td ta="right" className="patron-tabular">
                      {c.skipped}
                    </Table.Td>
                    <Table.Td ta="right">
                      {canWrite && (c.status === 'scheduled' || c.status === 'sending') && (
                        <Button size="compact-xs" variant="subtle" color="red" onClick={() => setCancelling(c)}>
                          Cancel
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {campaigns.hasNextPage && (
          <Center mt="md">
            <Button variant="light" onClick={() => void campaigns.fetchNextPage()} loading={campaigns.isFetchingNextPage}>
              Load more
            </Button>
          </Center>
        )}
      </Card>
      {creating && <CampaignDialog onClose={() => setCreating(false)} />}
      {cancelling && <CancelDialog campaign={cancelling} onClose={() => setCancelling(null)} />}
    </>
  );
}

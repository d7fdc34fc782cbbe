import { Anchor, Badge, Button, Card, Code, FileInput, Group, Modal, Select, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { importKeys, isDryRun, uploadImport, useImport, useImports } from '../../api/imports.js';
import type { ImportDryRun, ImportKind } from '../../api/models.js';
import { Breakable } from '../../components/breakable.js';
import { ErrorAlert } from '../../components/feedback.js';
import { Icon } from '../../components/icons.js';
import { PageHeader } from '../../components/page-header.js';
import { useFormat } from '../../lib/format.js';
import { useAction } from '../../lib/use-action.js';
import { useWelcomeBonus, welcomeBonusText } from '../customers/bulk-actions.js';
import { DryRunReport, ImportStatus, KIND_LABEL, STATUS_COLOR, STATUS_LABEL } from './import-report.js';

const KINDS: { value: ImportKind; label: string; columns: string }[] = [
  { value: 'customers', label: 'Customers', columns: 'externalId (required), email, firstName, lastName, phone, birthday, anniversary, accountState, emailVerified' },
  { value: 'points', label: 'Points balances', columns: 'customerId or externalId, points, reason (required), customerMessage' },
  { value: 'birthdays', label: 'Birthdays and anniversaries', columns: 'customerId or externalId, birthday and/or anniversary (YYYY-MM-DD)' },
  { value: 'tiers', label: 'Tiers', columns: 'customerId or externalId, tier (name), tierProgress' },
];

function ImportDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const run = useImport(id);
  return (
    <Modal opened onClose={onClose} title="Import" size="xl">
      {run.isPending && <Skeleton h={120} />}
      {run.error ? <ErrorAlert error={run.error} /> : null}
      {run.data && <ImportStatus run={run.data} />}
    </Modal>
  );
}

export function ImportsPage() {
  const fmt = useFormat();
  const [kind, setKind] = useState<ImportKind>('customers');
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<ImportDryRun | null>(null);
  const [current, setCurrent] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const imports = useImports();
  const bonus = useWelcomeBonus();
  const live = useImport(current);
  const queryClient = useQueryClient();
  const liveStatus = live.data?.status;
  // The list shows the import that just finished as finished, without waiting for its next poll.
  useEffect(() => {
    if (liveStatus === 'done' || liveStatus === 'failed') void queryClient.invalidateQueries({ queryKey: importKeys.all, exact: true });
  }, [liveStatus, queryClient]);
  const action = useAction({
    run: (input: { dryRun: boolean }, key) => uploadImport({ file: file!, kind, dryRun: input.dryRun }, key),
    invalidate: [importKeys.all],
    onSuccess: (r) => {
      if (isDryRun(r)) {
        setReport(r);
        setCurrent(null);
      } else {
        setReport(null);
        setCurrent(r.id);
        notifications.show({ message: 'Import started; progress updates below.' });
      }
    },
  });
  const info = KINDS.find((k) => k.value === kind)!;
  const submit = (dryRun: boolean) => {
    if (file) void action.submit({ dryRun });
  };
  return (
    <>
      <PageHeader title="Imports" description="Bring customers, points, birthdays and tiers from a CSV file. Check it with a dry run first: nothing changes until you import." />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg" mb="lg">
        <Card>
          <Stack>
            <Title order={2} size="h5">
              New import
            </Title>
            <ErrorAlert error={action.error} />
            <Select
              label="What the file contains"
              data={KINDS.map(({ value, label }) => ({ value, label }))}
              value={kind}
              onChange={(v) => {
                if (v) setKind(v as ImportKind);
                setReport(null);
                action.clear();
              }}
              allowDeselect={false}
            />
            <Text size="xs" c="dimmed">
              Columns: <Code>{info.columns}</Code>. The first row names the columns; errors are reported by spreadsheet row (row 1 is the header).
            </Text>
            {kind === 'customers' && bonus && (
              <Text size="sm" data-testid="import-welcome-bonus">
                New customers join as members, and so do guests whose <Code>accountState</Code> column says <Code>registered</Code>. {welcomeBonusText(bonus, (n) => fmt.number(n))}
              </Text>
            )}
            <FileInput
              label="CSV file"
              placeholder="Choose a .csv file"
              accept=".csv,text/csv"
              value={file}
              onChange={(f) => {
                setFile(f);
                setReport(null);
                action.clear();
              }}
              leftSection={<Icon name="upload" size={16} />}
              clearable
            />
            <Group justify="flex-end">
              <Button variant="default" disabled={!file} loading={action.pending} onClick={() => submit(true)}>
                Check file (dry run)
              </Button>
              <Button disabled={!file} loading={action.pending} onClick={() => submit(false)}>
                Import
              </Button>
            </Group>
          </Stack>
        </Card>
        <Card>
          <Title order={2} size="h5" mb="sm">
            Result
          </Title>
          {report ? (
            <DryRunReport report={report} />
          ) : live.data ? (
            <ImportStatus run={live.data} />
          ) : (
            <Text size="sm" c="dimmed">
              Run a dry run to see every problem row before importing. Large files are applied in the background; you can leave this page.
            </Text>
          )}
        </Card>
      </SimpleGrid>
      <Card p={0}>
        <Group p="md" pb={0}>
          <Title order={2} size="h5">
            Recent imports
          </Title>
        </Group>
        {imports.error ? <ErrorAlert error={imports.error} /> : null}
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover aria-label="Recent imports">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>File</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th ta="right">Rows</Table.Th>
                <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>
                  Rows with errors
                </Table.Th>
                <Table.Th w={130}>Started</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {imports.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Skeleton h={24} />
                  </Table.Td>
                </Table.Tr>
              )}
              {imports.data?.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text size="sm" c="dimmed">
                      No imports yet. Each import (not the dry runs) is listed here with its progress and the rows it could not apply.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {imports.data?.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <Anchor component="button" type="button" fz="sm" fw={600} ta="left" onClick={() => setOpen(r.id)}>
                      {r.fileName ? <Breakable text={r.fileName} /> : 'CSV file'}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{KIND_LABEL[r.kind] ?? r.kind}</Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[r.status]} styles={{ label: { overflow: 'visible' } }}>
                      {STATUS_LABEL[r.status]}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right" className="patron-tabular" style={{ whiteSpace: 'nowrap' }}>
                    {r.rowsDone} / {r.rowsTotal}
                  </Table.Td>
                  <Table.Td ta="right" className="patron-tabular">
                    {r.rowsWithErrors}
                  </Table.Td>
                  <Table.Td>{fmt.dateTime(r.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      {open && <ImportDetail id={open} onClose={() => setOpen(null)} />}
    </>
  );
}

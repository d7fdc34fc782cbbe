import { Badge, Group, Progress, Stack, Table, Text } from '@mantine/core';
import type { ImportDryRun, ImportRowError, ImportRun } from '../../api/models.js';
import { Breakable } from '../../components/breakable.js';
import { useFormat } from '../../lib/format.js';

/** Rows and errors are counted apart, since one row can have several: "1 with errors (2 errors)". */
function errorsAside(rows: number, errors: number): string {
  return errors > rows ? ` (${errors} errors)` : '';
}

export function RowErrors({ errors, total, rows }: { errors: ImportRowError[]; total: number; rows: number }) {
  if (total === 0) {
    return (
      <Text size="sm" c="var(--patron-positive)">
        No row errors.
      </Text>
    );
  }
  return (
    <Stack gap={6}>
      <Text size="sm" fw={600}>
        {rows} {rows === 1 ? 'row' : 'rows'} with errors{errorsAside(rows, total)}
        {total > errors.length ? ` — the first ${errors.length} errors are listed` : ''}
      </Text>
      <Table.ScrollContainer minWidth={320} mah={360}>
        <Table striped verticalSpacing={6} aria-label="Row errors">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={60}>Row</Table.Th>
              <Table.Th w={140}>Column</Table.Th>
              <Table.Th>Problem</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {errors.map((e, i) => (
              <Table.Tr key={`${e.row}-${e.column ?? ''}-${i}`} data-testid="import-error-row">
                <Table.Td className="patron-tabular">{e.row}</Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {e.column ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>{e.problem.charAt(0).toUpperCase() + e.problem.slice(1)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

export function DryRunReport({ report }: { report: ImportDryRun }) {
  return (
    <Stack gap="sm" data-testid="dry-run-report">
      <Group gap="xs">
        <Badge color="blue">Dry run: nothing was changed</Badge>
        <Text size="sm">
          {report.rowsValid} of {report.rowsTotal} rows are valid.
        </Text>
      </Group>
      {report.ignoredColumns.length > 0 && (
        <Text size="sm" c="dimmed">
          Ignored columns: {report.ignoredColumns.join(', ')}
        </Text>
      )}
      <RowErrors errors={report.errors} total={report.errorCount} rows={report.rowsWithErrors} />
    </Stack>
  );
}

export const STATUS_COLOR: Record<ImportRun['status'], string> = { queued: 'gray', running: 'blue', done: 'green', failed: 'red' };
export const STATUS_LABEL: Record<ImportRun['status'], string> = { queued: 'Queued', running: 'Running', done: 'Done', failed: 'Failed' };
export const KIND_LABEL: Record<ImportRun['kind'], string> = { customers: 'Customers', points: 'Points balances', birthdays: 'Birthdays and anniversaries', tiers: 'Tiers' };

export function ImportStatus({ run }: { run: ImportRun }) {
  const fmt = useFormat();
  const pct = run.rowsTotal > 0 ? Math.round((run.rowsDone / run.rowsTotal) * 100) : run.status === 'done' ? 100 : 0;
  const live = run.status === 'queued' || run.status === 'running';
  return (
    <Stack gap="sm" data-testid="import-status">
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Badge color={STATUS_COLOR[run.status]} style={{ flexShrink: 0 }} styles={{ label: { overflow: 'visible' } }} mt={2}>
          {STATUS_LABEL[run.status]}
        </Badge>
        <div>
          <Text size="sm" fw={500}>
            {run.fileName ? <Breakable text={run.fileName} /> : 'CSV file'} · {KIND_LABEL[run.kind] ?? run.kind}
          </Text>
          <Text size="xs" c="dimmed">
            Started {fmt.dateTime(run.createdAt)}
          </Text>
        </div>
      </Group>
      <Progress value={pct} animated={live} aria-label="Import progress" />
      <Text size="sm" role="status" aria-live="polite">
        {run.rowsDone} of {run.rowsTotal} rows processed · {run.rowsApplied} applied · {run.rowsUnchanged} unchanged · {run.rowsWithErrors} with errors{errorsAside(run.rowsWithErrors, run.errorCount)}
      </Text>
      {!live && <RowErrors errors={run.errors} total={run.errorCount} rows={run.rowsWithErrors} />}
    </Stack>
  );
}

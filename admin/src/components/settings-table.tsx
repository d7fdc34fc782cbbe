import { Alert, Button, Group, Modal, Skeleton, Stack, Table, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import { CopyableValue } from './copyable-value.js';
import { Icon } from './icons.js';

/** A column heading; `{ hidden }` is read by screen readers only (e.g. the actions column). */
export type SettingsColumn = string | { hidden: string } | null;

/**
 * The table of a settings list (users, invitations, API keys, webhook endpoints and
 * deliveries): scrolls sideways below `minWidth` instead of squeezing its columns, and shows
 * `skeletonRows` placeholder rows while the list loads.
 */
export function SettingsTable({
  columns,
  minWidth,
  loading = false,
  skeletonRows = 1,
  label,
  testId,
  spacing = 'sm',
  highlightOnHover = false,
  children,
}: {
  columns: SettingsColumn[];
  minWidth: number;
  loading?: boolean;
  skeletonRows?: number;
  label?: string;
  testId?: string;
  spacing?: 'xs' | 'sm';
  highlightOnHover?: boolean;
  children: ReactNode;
}) {
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table verticalSpacing={spacing} highlightOnHover={highlightOnHover} aria-label={label} data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c, i) =>
              c === null ? (
                <Table.Th key={i} />
              ) : typeof c === 'string' ? (
                <Table.Th key={i}>{c}</Table.Th>
              ) : (
                <Table.Th key={i}>
                  <VisuallyHidden>{c.hidden}</VisuallyHidden>
                </Table.Th>
              ),
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {loading &&
            Array.from({ length: skeletonRows }, (_, i) => (
              <Table.Tr key={`loading-${i}`}>
                <Table.Td colSpan={columns.length}>
                  <Skeleton h={28} />
                </Table.Td>
              </Table.Tr>
            ))}
          {children}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/**
 * A secret Patron shows once (an API key, a webhook signing secret): copy it now, it is
 * stored hashed or sealed and never shown again. Closing needs the button, not a click beside.
 */
export function SecretShownOnce({ title, alertTitle, secret, testId, children, note, onClose }: { title: string; alertTitle: string; secret: string; testId: string; children: ReactNode; note?: ReactNode; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title={title} closeOnClickOutside={false} size="lg">
      <Stack>
        <Alert color="yellow" icon={<Icon name="alert" />} title={alertTitle}>
          {children}
        </Alert>
        <CopyableValue value={secret} testId={testId} />
        {note}
        <Group justify="flex-end">
          <Button onClick={onClose}>I have stored it</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

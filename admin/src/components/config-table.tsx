import { Button, Card, Group, Skeleton, Table, Text, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import { EmptyState, ErrorAlert } from './feedback.js';
import type { IconName } from './icons.js';

export interface ConfigColumn<T> {
  label: string;
  render: (row: T) => ReactNode;
  align?: 'right';
}

interface Props<T extends { id: string; name: string }> {
  rows: T[] | undefined;
  loading: boolean;
  error: unknown;
  columns: ConfigColumn<T>[];
  editable: boolean;
  empty: { icon: IconName; title: string; text: string };
  onEdit: (row: T) => void;
  onDelete: (row: T) => void;
  label: string;
}

/** The list on a program settings page: rows, edit and delete actions for those allowed to change the program. */
export function ConfigTable<T extends { id: string; name: string }>({ rows, loading, error, columns, editable, empty, onEdit, onDelete, label }: Props<T>) {
  if (error) return <ErrorAlert error={error} />;
  if (rows && rows.length === 0) {
    return (
      <Card>
        <EmptyState icon={empty.icon} title={empty.title}>
          {empty.text}
        </EmptyState>
      </Card>
    );
  }
  return (
    <Card p={0}>
      <Table.ScrollContainer minWidth={720}>
        <Table verticalSpacing="sm" highlightOnHover aria-label={label}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c.label} ta={c.align}>
                  {c.label}
                </Table.Th>
              ))}
              {editable && (
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {loading && (
              <Table.Tr>
                <Table.Td colSpan={columns.length + 1}>
                  <Skeleton h={28} />
                </Table.Td>
              </Table.Tr>
            )}
            {rows?.map((r) => (
              <Table.Tr key={r.id}>
                {columns.map((c) => (
                  <Table.Td key={c.label} ta={c.align}>
                    {typeof c.render(r) === 'string' ? <Text size="sm">{c.render(r)}</Text> : c.render(r)}
                  </Table.Td>
                ))}
                {editable && (
                  <Table.Td ta="right">
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button size="compact-sm" variant="subtle" onClick={() => onEdit(r)} aria-label={`Edit ${r.name}`}>
                        Edit
                      </Button>
                      <Button size="compact-sm" variant="subtle" color="red" onClick={() => onDelete(r)} aria-label={`Delete ${r.name}`}>
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

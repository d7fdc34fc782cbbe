import { ActionIcon, Button, CloseButton, Group, Menu, Modal, Select, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { customerKeys, deleteSegment, fromFilterObject, saveSegment, toFilterObject, useSegments, type GridFilters } from '../../api/customers.js';
import { useTiers } from '../../api/profile.js';
import { ErrorAlert } from '../../components/feedback.js';
import { Icon } from '../../components/icons.js';
import { useAction } from '../../lib/use-action.js';
import { hasFilters } from './grid-state.js';

function SearchBox({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [text, setText] = useState(value);
  const [debounced] = useDebouncedValue(text, 250);
  const last = useRef(value);
  useEffect(() => {
    // The URL changed from elsewhere (clear filters, a segment, back button).
    if (value !== last.current) {
      last.current = value;
      setText(value);
    }
  }, [value]);
  const apply = useCallback(
    (raw: string) => {
      const next = raw.trim();
      if (next !== last.current) {
        last.current = next;
        onChange(next);
      }
    },
    [onChange],
  );
  useEffect(() => apply(debounced), [debounced, apply]);
  return (
    <TextInput
      aria-label="Search customers"
      placeholder="Search by name, email or phone"
      leftSection={<Icon name="search" size={16} />}
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      // Leaving the box (e.g. to open a bulk action) applies what was typed at once, not after the pause.
      onBlur={() => apply(text)}
      rightSection={text ? <CloseButton size="sm" aria-label="Clear search" onClick={() => setText('')} /> : null}
      w={{ base: '100%', sm: 360 }}
      type="search"
    />
  );
}

function SaveSegmentDialog({ filters, onClose }: { filters: GridFilters; onClose: () => void }) {
  const [name, setName] = useState('');
  const action = useAction({
    run: (n: string, key) => saveSegment({ name: n, filter: toFilterObject(filters) }, key),
    invalidate: [customerKeys.segments],
    onSuccess: (s) => {
      notifications.show({ color: 'green', message: `Saved segment "${s.name}".` });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) void action.submit(name.trim());
  };
  return (
    <Modal opened onClose={onClose} title="Save these filters as a segment">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={action.error} />
          <TextInput label="Segment name" placeholder="Gold members in Europe" value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus required />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={action.pending} disabled={!name.trim()}>
              Save segment
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function GridFiltersBar({ filters, update, clear, ready }: { filters: GridFilters; update: (p: Partial<GridFilters>) => void; clear: () => void; ready: boolean }) {
  const tiers = useTiers(ready);
  const segments = useSegments(ready);
  const [saving, setSaving] = useState(false);
  const remove = useAction({ run: (id: string, key) => deleteSegment(id, key), invalidate: [customerKeys.segments] });
  const onSearch = (search: string) => update({ search });
  const segmentList = segments.data ?? [];
  const applySegment = (id: string | null) => {
    const seg = segmentList.find((s) => s.id === id);
    if (!seg) {
      update({ segment: '' });
      return;
    }
    const f = fromFilterObject(seg.filter);
    update({ search: f.search ?? '', membership: f.membership ?? '', tier: f.tier ?? '', activity: f.activity ?? '', accountState: f.accountState ?? '', marketingSync: f.marketingSync ?? '', segment: seg.id });
    notifications.show({ message: `Showing segment "${seg.name}".` });
  };
  return (
    <Stack gap="sm" mb="md">
      <Group gap="sm" wrap="wrap" align="flex-end">
        <SearchBox value={filters.search ?? ''} onChange={onSearch} />
        <Group gap={4} wrap="nowrap">
          <Select
            aria-label="Saved segment"
            placeholder={segments.isError ? 'Segments unavailable' : 'Saved segments'}
            data={segmentList.map((s) => ({ value: s.id, label: s.name }))}
            value={filters.segment ?? null}
            onChange={applySegment}
            clearable
            disabled={segments.isError}
            w={170}
          />
          {filters.segment && (
            <Menu position="bottom-end">
              <Menu.Target>
                <ActionIcon variant="subtle" aria-label="Segment options" size="lg">
                  <Icon name="dots" />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item color="red" onClick={() => void remove.submit(filters.segment!).then(() => update({ segment: '' }))}>
                  Delete this segment
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          )}
        </Group>
        {hasFilters(filters) && (
          <Group gap="xs">
            <Tooltip label="Save the current filters as a segment">
              <Button variant="light" size="sm" onClick={() => setSaving(true)} disabled={segments.isError}>
                Save segment
              </Button>
            </Tooltip>
            <Button variant="subtle" size="sm" onClick={clear}>
              Clear filters
            </Button>
          </Group>
        )}
      </Group>
      <Group gap="sm" wrap="wrap">
        <Select
          aria-label="Membership type"
          placeholder="Membership: all"
          data={[
            { value: 'member', label: 'Members' },
            { value: 'guest', label: 'Guests' },
            { value: 'left', label: 'Left program' },
          ]}
          value={filters.membership ?? null}
          onChange={(v) => update({ membership: v ?? '' })}
          clearable
          w={180}
        />
        <Select
          aria-label="Tier"
          placeholder="Tier: all"
          data={[{ value: 'none', label: 'No tier' }, ...(tiers.data ?? []).map((t) => ({ value: t.id, label: t.name }))]}
          value={filters.tier ?? null}
          onChange={(v) => update({ tier: v ?? '' })}
          clearable
          w={150}
        />
        <Select
          aria-label="Activity"
          placeholder="Activity: all"
          data={[
            { value: 'active', label: 'Active (30 days)' },
            { value: 'inactive', label: 'Inactive' },
          ]}
          value={filters.activity ?? null}
          onChange={(v) => update({ activity: v ?? '' })}
          clearable
          w={170}
        />
        <Select
          aria-label="Account"
          placeholder="Account: all"
          data={[
            { value: 'registered', label: 'Registered' },
            { value: 'guest', label: 'Guest checkout' },
          ]}
          value={filters.accountState ?? null}
          onChange={(v) => update({ accountState: v ?? '' })}
          clearable
          w={170}
        />
        <Select
          aria-label="Marketing sync"
          placeholder="Marketing sync: all"
          data={[{ value: 'failed', label: 'Sync failed' }]}
          value={filters.marketingSync ?? null}
          onChange={(v) => update({ marketingSync: v ?? '' })}
          clearable
          w={190}
        />
      </Group>
      {remove.error ? <ErrorAlert error={remove.error} /> : null}
      {saving && <SaveSegmentDialog filters={filters} onClose={() => setSaving(false)} />}
      {filters.segment && !segmentList.some((s) => s.id === filters.segment) && segments.isSuccess && (
        <Text size="sm" c="dimmed">
          This link uses a segment that no longer exists.
        </Text>
      )}
    </Stack>
  );
}

import { Button, Group, Menu } from '@mantine/core';
import type { Customer } from '../../api/models.js';
import { customerExportUrl } from '../../api/profile.js';
import { Icon } from '../../components/icons.js';
import { useSession } from '../../lib/session.js';
import { useOpenDialog } from './customer-dialogs.js';

/** The action bar: the everyday fixes as buttons, the rest in "More actions". Only what the role allows is shown. */
export function CustomerActions({ customer }: { customer: Customer }) {
  const { can } = useSession();
  const open = useOpenDialog();
  const anonymized = Boolean(customer.anonymizedAt);
  const writes = can('customers:write');
  const more = [
    can('rewards:issue') && (
      <Menu.Item key="give" leftSection={<Icon name="gift" size={16} />} onClick={() => open({ kind: 'give' })}>
        Give reward
      </Menu.Item>
    ),
    can('tiers:manage') && (
      <Menu.Item key="tier" leftSection={<Icon name="crown" size={16} />} onClick={() => open({ kind: 'tier' })}>
        Change tier or progress
      </Menu.Item>
    ),
    can('tiers:manage') && customer.tier?.manual && (
      <Menu.Item key="release" onClick={() => open({ kind: 'releaseTier' })}>
        Release manual tier
      </Menu.Item>
    ),
    can('tiers:manage') && (
      <Menu.Item key="recalc" leftSection={<Icon name="refresh" size={16} />} onClick={() => open({ kind: 'recalculateTier' })}>
        Recalculate tier progress
      </Menu.Item>
    ),
    writes && (
      <Menu.Item key="membership" leftSection={<Icon name="users" size={16} />} onClick={() => open({ kind: 'membership' })}>
        Change membership type
      </Menu.Item>
    ),
    writes && !anonymized && (
      <Menu.Item key="dates" leftSection={<Icon name="calendar" size={16} />} onClick={() => open({ kind: 'dates' })}>
        Edit birthday and anniversary
      </Menu.Item>
    ),
    can('points:adjust') && (
      <Menu.Item key="custom" leftSection={<Icon name="bolt" size={16} />} onClick={() => open({ kind: 'customAction' })}>
        Trigger custom action
      </Menu.Item>
    ),
    writes && (
      <Menu.Item key="reporting" leftSection={<Icon name="eyeOff" size={16} />} onClick={() => open({ kind: 'reporting' })}>
        {customer.excludedFromReports ? 'Include in reports' : 'Exclude from reports'}
      </Menu.Item>
    ),
    can('data:export') && (
      <Menu.Item key="export" leftSection={<Icon name="download" size={16} />} component="a" href={customerExportUrl(customer.id)} download>
        Export customer data
      </Menu.Item>
    ),
    can('customers:anonymize') && !anonymized && (
      <Menu.Item key="anonymize" color="red" leftSection={<Icon name="trash" size={16} />} onClick={() => open({ kind: 'anonymize' })}>
        Anonymize (GDPR erasure)
      </Menu.Item>
    ),
  ].filter(Boolean);
  return (
    <Group gap="sm">
      {can('points:adjust') && (
        <Button leftSection={<Icon name="coins" size={16} />} onClick={() => open({ kind: 'adjust' })}>
          Adjust points
        </Button>
      )}
      {can('rewards:issue') && (
        <Button variant="default" leftSection={<Icon name="ticket" size={16} />} onClick={() => open({ kind: 'redeem' })}>
          Redeem reward
        </Button>
      )}
      {more.length > 0 && (
        <Menu position="bottom-end" width={260} shadow="md">
          <Menu.Target>
            <Button variant="default" rightSection={<Icon name="chevronDown" size={14} />}>
              More actions
            </Button>
          </Menu.Target>
          <Menu.Dropdown>{more}</Menu.Dropdown>
        </Menu>
      )}
    </Group>
  );
}

import { AppShell, Avatar, Burger, Group, Menu, NavLink, ScrollArea, Stack, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { errorMessage } from '../api/errors.js';
import type { Permission } from '../api/models.js';
import { useSession } from '../lib/session.js';
import { ProfileDialog } from '../pages/settings/profile-dialog.js';
import { Icon, type IconName } from './icons.js';

interface NavItem {
  to: string;
  label: string;
  icon: IconName;
  permission?: Permission;
}

const SECTIONS: { title: string | null; items: NavItem[] }[] = [
  { title: null, items: [{ to: '/customers', label: 'Customers', icon: 'users', permission: 'customers:read' }] },
  {
    title: 'Program',
    items: [
      { to: '/program/points', label: 'Points', icon: 'coins' },
      { to: '/program/tiers', label: 'Tiers', icon: 'crown' },
      { to: '/program/rewards', label: 'Rewards', icon: 'gift' },
      { to: '/program/earning-rules', label: 'Earning rules', icon: 'bolt' },
    ],
  },
  { title: 'Marketing', items: [{ to: '/marketing/campaigns', label: 'Push campaigns', icon: 'bell', permission: 'customers:read' }] },
  { title: 'Data', items: [{ to: '/imports', label: 'Imports', icon: 'upload', permission: 'data:import' }] },
  {
    title: 'Settings',
    items: [
      { to: '/settings/organization', label: 'Organization', icon: 'building' },
      { to: '/settings/users', label: 'Users', icon: 'shield', permission: 'users:manage' },
      { to: '/settings/api-keys', label: 'API keys', icon: 'key', permission: 'users:manage' },
      { to: '/settings/klaviyo', label: 'Klaviyo', icon: 'link', permission: 'settings:manage' },
      { to: '/settings/omnisend', label: 'Omnisend', icon: 'link', permission: 'settings:manage' },
      { to: '/settings/webhooks', label: 'Webhooks', icon: 'bolt', permission: 'settings:manage' },
      { to: '/settings/storefront', label: 'Storefront', icon: 'star', permission: 'settings:manage' },
      { to: '/settings/shopify', label: 'Shopify', icon: 'cart', permission: 'settings:manage' },
    ],
  },
];

function OrganizationSwitcher() {
  const { me, switchTo } = useSession();
  const navigate = useNavigate();
  const current = me.organization;
  const others = me.organizations.filter((o) => o.id !== current.id);
  const label = (
    <Group gap="xs" wrap="nowrap">
      <Avatar size={30} radius="md" color="brand" variant="filled" aria-hidden="true">
        {current.name.slice(0, 1).toUpperCase()}
      </Avatar>
      <Stack gap={0} style={{ minWidth: 0 }}>
        <Text size="sm" fw={600} truncate>
          {current.name}
        </Text>
        <Text size="xs" c="dimmed" truncate>
          {current.currency} · {current.timezone}
        </Text>
      </Stack>
    </Group>
  );
  if (others.length === 0) return label;
  const choose = async (id: string) => {
    try {
      await switchTo(id);
      void navigate('/customers');
    } catch (err) {
      notifications.show({ color: 'red', title: 'Could not switch organization', message: errorMessage(err) });
    }
  };
  return (
    <Menu position="bottom-start" width={260} shadow="md">
      <Menu.Target>
        <UnstyledButton p={4} style={{ borderRadius: 8 }}>
          <Group gap={6} wrap="nowrap">
            <VisuallyHidden>Switch organization, current:</VisuallyHidden>
            {label}
            <Icon name="selector" size={16} />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Switch organization</Menu.Label>
        {others.map((o) => (
          <Menu.Item key={o.id} onClick={() => void choose(o.id)} rightSection={<Text size="xs" c="dimmed">{o.role}</Text>}>
            {o.name}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

function UserMenu() {
  const { me, logout } = useSession();
  const [profile, setProfile] = useState(false);
  const name = me.user?.name || me.user?.email || me.actor.name;
  return (
    <>
      {profile && <ProfileDialog me={me} onClose={() => setProfile(false)} />}
      <Menu position="bottom-end" width={240} shadow="md">
        <Menu.Target>
          <UnstyledButton p={4} style={{ borderRadius: 999 }}>
            <Group gap={8} wrap="nowrap">
              <VisuallyHidden>Account menu for</VisuallyHidden>
              <Avatar size={32} radius="xl" color="brand" aria-hidden="true">
                {name.slice(0, 1).toUpperCase()}
              </Avatar>
              <Stack gap={0} visibleFrom="sm">
                <Text size="sm" fw={500} lh={1.2}>
                  {name}
                </Text>
                <Text size="xs" c="dimmed" lh={1.2}>
                  {me.role === 'admin' ? 'Admin' : 'Staff'}
                </Text>
              </Stack>
            </Group>
          </UnstyledButton>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>{me.user?.email}</Menu.Label>
          {me.user && <Menu.Item onClick={() => setProfile(true)}>Your profile</Menu.Item>}
          <Menu.Item leftSection={<Icon name="logout" size={16} />} onClick={() => void logout()}>
            Sign out
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
    </>
  );
}

export function AppLayout({ children }: { children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const { can } = useSession();
  const { pathname } = useLocation();
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 232, breakpoint: 'md', collapsed: { mobile: !opened } }} padding="lg">
      <a href="#main" className="patron-skip-link">
        Skip to content
      </a>
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="md" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <Text fw={750} size="lg" c="brand.7" component={Link} to="/customers" style={{ textDecoration: 'none', letterSpacing: '-0.02em' }}>
              Patron
            </Text>
            <OrganizationSwitcher />
          </Group>
          <UserMenu />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main navigation">
        <ScrollArea>
          {SECTIONS.map((section) => {
            const items = section.items.filter((i) => !i.permission || can(i.permission));
            if (!items.length) return null;
            return (
              <Stack key={section.title ?? 'main'} gap={2} mb="md">
                {section.title && (
                  <Text size="xs" fw={600} c="dimmed" tt="uppercase" px="sm" mb={4}>
                    {section.title}
                  </Text>
                )}
                {items.map((item) => (
                  <NavLink
                    key={item.to}
                    component={Link}
                    to={item.to}
                    label={item.label}
                    leftSection={<Icon name={item.icon} />}
                    active={pathname === item.to || pathname.startsWith(item.to + '/')}
                    onClick={close}
                    style={{ borderRadius: 8 }}
                  />
                ))}
              </Stack>
            );
          })}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1} style={{ outline: 'none' }}>
        <div style={{ maxWidth: 1440, margin: '0 auto' }}>{children}</div>
      </AppShell.Main>
    </AppShell>
  );
}

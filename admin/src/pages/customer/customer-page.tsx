import { Anchor, Badge, Grid, Group, SimpleGrid, Tabs, Text } from '@mantine/core';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { displayName, useCustomer } from '../../api/customers.js';
import { isApiError } from '../../api/client.js';
import { EmptyState, ErrorAlert, ErrorFormatContext } from '../../components/feedback.js';
import { Breakable } from '../../components/breakable.js';
import { Icon } from '../../components/icons.js';
import { PageHeader } from '../../components/page-header.js';
import { PageSkeleton } from '../../components/page-skeleton.js';
import { useFormat } from '../../lib/format.js';
import { MEMBERSHIP_COLOR, MEMBERSHIP_LABEL } from '../customers/grid-state.js';
import { CustomerActions } from './customer-actions.js';
import { CustomerDialogs } from './customer-dialogs.js';
import { MarketingSyncCard } from './marketing-sync-card.js';
import { ShopifyCard } from './shopify-card.js';
import { DatesCard, IdentityCard, NotesCard, PreferencesCard } from './side-cards.js';
import { SummaryCards } from './summary-cards.js';
import { WalletCard } from './wallet-card.js';
import { ActivityTab } from './tabs/activity-tab.js';
import { OrdersTab } from './tabs/orders-tab.js';
import { OverviewTab } from './tabs/overview-tab.js';
import { PointsTab } from './tabs/points-tab.js';
import { ReferralsTab } from './tabs/referrals-tab.js';
import { RewardsTab } from './tabs/rewards-tab.js';

const TABS = ['overview', 'points', 'orders', 'rewards', 'referrals', 'activity'] as const;
type Tab = (typeof TABS)[number];

const back = (
  <Anchor component={Link} to="/customers" size="sm" c="dimmed" style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
    <Icon name="chevronLeft" size={14} /> Customers
  </Anchor>
);

export function CustomerPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const fmt = useFormat();
  const customer = useCustomer(id);
  const tabParam = params.get('tab');
  const tab: Tab = TABS.includes(tabParam as Tab) ? (tabParam as Tab) : 'overview';

  if (customer.isPending) return <PageSkeleton />;
  if (customer.isError) {
    if (isApiError(customer.error) && (customer.error.status === 404 || customer.error.status === 400)) {
      return (
        <EmptyState icon="search" title="Customer not found">
          This customer does not exist in this organization. <Anchor component={Link} to="/customers">Back to customers</Anchor>
        </EmptyState>
      );
    }
    return <ErrorAlert error={customer.error} title="The customer could not load" onRetry={() => void customer.refetch()} />;
  }
  const c = customer.data;
  const name = displayName(c);
  return (
    <ErrorFormatContext value={fmt}>
      <CustomerDialogs customer={c}>
        <PageHeader
          before={back}
          title={
            <Group gap="sm" component="span">
              <span>{name}</span>
              <Badge color={MEMBERSHIP_COLOR[c.membershipType]} size="lg">
                {MEMBERSHIP_LABEL[c.membershipType]}
              </Badge>
              {c.anonymizedAt && (
                <Badge color="dark" size="lg">
                  Anonymized
                </Badge>
              )}
            </Group>
          }
          description={
            <Text span size="sm" c="dimmed">
              {c.email ? <Breakable text={c.email} /> : 'No email'} · customer since {fmt.date(c.createdAt)}
              {c.anonymizedAt ? ` · anonymized ${fmt.date(c.anonymizedAt)}` : ''}
            </Text>
          }
          actions={<CustomerActions customer={c} />}
        />
        <SummaryCards customer={c} />
        {/* Side by side only where the tabs keep room for every column; narrower, the tabs come first. */}
        <Grid gutter="lg">
          <Grid.Col span={{ base: 12, xl: 8 }}>
            <Tabs
              value={tab}
              onChange={(v) =>
                setParams(
                  (prev) => {
                    const next = new URLSearchParams(prev);
                    if (!v || v === 'overview') next.delete('tab');
                    else next.set('tab', v);
                    return next;
                  },
                  { replace: true },
                )
              }
              keepMounted={false}
            >
              <Tabs.List mb="md">
                <Tabs.Tab value="overview">Overview</Tabs.Tab>
                <Tabs.Tab value="points">Points</Tabs.Tab>
                <Tabs.Tab value="orders">Orders</Tabs.Tab>
                <Tabs.Tab value="rewards">Rewards</Tabs.Tab>
                <Tabs.Tab value="referrals">Referrals</Tabs.Tab>
                <Tabs.Tab value="activity">Activity</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="overview">
                <OverviewTab customer={c} />
              </Tabs.Panel>
              <Tabs.Panel value="points">
                <PointsTab customer={c} />
              </Tabs.Panel>
              <Tabs.Panel value="orders">
                <OrdersTab customerId={c.id} />
              </Tabs.Panel>
              <Tabs.Panel value="rewards">
                <RewardsTab customer={c} />
              </Tabs.Panel>
              <Tabs.Panel value="referrals">
                <ReferralsTab customerId={c.id} />
              </Tabs.Panel>
              <Tabs.Panel value="activity">
                <ActivityTab customerId={c.id} />
              </Tabs.Panel>
            </Tabs>
          </Grid.Col>
          <Grid.Col span={{ base: 12, xl: 4 }}>
            <SimpleGrid cols={{ base: 1, sm: 2, xl: 1 }} data-testid="side-cards">
              <IdentityCard customer={c} />
              <NotesCard customer={c} />
              <DatesCard customer={c} />
              <PreferencesCard customer={c} />
              <WalletCard customer={c} />
              <MarketingSyncCard customer={c} />
              <ShopifyCard customer={c} />
            </SimpleGrid>
          </Grid.Col>
        </Grid>
      </CustomerDialogs>
    </ErrorFormatContext>
  );
}

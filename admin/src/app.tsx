import { Center, Loader } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { ErrorAlert } from './components/feedback.js';
import { AppLayout } from './components/app-layout.js';
import { PageSkeleton } from './components/page-skeleton.js';
import { RequirePermission } from './components/require-permission.js';
import { SessionProvider, useMeQuery } from './lib/session.js';
import { AcceptInvitationPage } from './pages/accept-invitation-page.js';
import { LoginPage } from './pages/login-page.js';

const page = <T extends Record<string, unknown>>(load: () => Promise<T>, name: keyof T) =>
  lazy(async () => ({ default: (await load())[name] as React.ComponentType }));

const loadCustomers = () => import('./pages/customers/customers-page.js');
const CustomersPage = page(loadCustomers, 'CustomersPage');
// The grid is the usual landing page: fetch its code while /me is still in flight.
if (window.location.pathname === '/' || window.location.pathname.startsWith('/customers')) void loadCustomers();
const CustomerPage = page(() => import('./pages/customer/customer-page.js'), 'CustomerPage');
const PointsSettingsPage = page(() => import('./pages/program/points-settings-page.js'), 'PointsSettingsPage');
const TiersPage = page(() => import('./pages/program/tiers-page.js'), 'TiersPage');
const RewardsPage = page(() => import('./pages/program/rewards-page.js'), 'RewardsPage');
const EarningRulesPage = page(() => import('./pages/program/earning-rules-page.js'), 'EarningRulesPage');
const ImportsPage = page(() => import('./pages/imports/imports-page.js'), 'ImportsPage');
const UsersPage = page(() => import('./pages/settings/users-page.js'), 'UsersPage');
const ApiKeysPage = page(() => import('./pages/settings/api-keys-page.js'), 'ApiKeysPage');
const OrganizationPage = page(() => import('./pages/settings/organization-page.js'), 'OrganizationPage');
const KlaviyoSettingsPage = page(() => import('./pages/settings/marketing-page.js'), 'KlaviyoSettingsPage');
const OmnisendSettingsPage = page(() => import('./pages/settings/marketing-page.js'), 'OmnisendSettingsPage');
const WebhooksPage = page(() => import('./pages/settings/webhooks-page.js'), 'WebhooksPage');
const StorefrontPage = page(() => import('./pages/settings/storefront-page.js'), 'StorefrontPage');
const ShopifySettingsPage = page(() => import('./pages/settings/shopify-page.js'), 'ShopifySettingsPage');
const CampaignsPage = page(() => import('./pages/marketing/campaigns-page.js'), 'CampaignsPage');
const NotFoundPage = page(() => import('./pages/not-found-page.js'), 'NotFoundPage');

function SignedInRoutes() {
  return (
    <AppLayout>
      <Suspense fallback={<PageSkeleton />}>
        <Routes>
          <Route path="/" element={<Navigate to="/customers" replace />} />
          <Route path="/login" element={<Navigate to="/customers" replace />} />
          <Route path="/customers" element={<RequirePermission permission="customers:read"><CustomersPage /></RequirePermission>} />
          <Route path="/customers/:id" element={<RequirePermission permission="customers:read"><CustomerPage /></RequirePermission>} />
          <Route path="/program" element={<Navigate to="/program/points" replace />} />
          <Route path="/program/points" element={<PointsSettingsPage />} />
          <Route path="/program/tiers" element={<TiersPage />} />
          <Route path="/program/rewards" element={<RewardsPage />} />
          <Route path="/program/earning-rules" element={<EarningRulesPage />} />
          <Route path="/marketing/campaigns" element={<RequirePermission permission="customers:read"><CampaignsPage /></RequirePermission>} />
          <Route path="/imports" element={<RequirePermission permission="data:import"><ImportsPage /></RequirePermission>} />
          <Route path="/settings/users" element={<RequirePermission permission="users:manage"><UsersPage /></RequirePermission>} />
          <Route path="/settings/api-keys" element={<RequirePermission permission="users:manage"><ApiKeysPage /></RequirePermission>} />
          <Route path="/settings/organization" element={<OrganizationPage />} />
          <Route path="/settings/klaviyo" element={<RequirePermission permission="settings:manage"><KlaviyoSettingsPage /></RequirePermission>} />
          <Route path="/settings/omnisend" element={<RequirePermission permission="settings:manage"><OmnisendSettingsPage /></RequirePermission>} />
          <Route path="/settings/webhooks" element={<RequirePermission permission="settings:manage"><WebhooksPage /></RequirePermission>} />
          <Route path="/settings/storefront" element={<RequirePermission permission="settings:manage"><StorefrontPage /></RequirePermission>} />
          <Route path="/settings/shopify" element={<RequirePermission permission="settings:manage"><ShopifySettingsPage /></RequirePermission>} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </AppLayout>
  );
}

export function App() {
  const me = useMeQuery();
  let content;
  if (me.isPending) {
    content = (
      <Center h="100vh" aria-busy="true">
        <Loader aria-label="Loading Patron" />
      </Center>
    );
  } else if (me.isError) {
    content = (
      <Center h="100vh" p="md">
        <ErrorAlert error={me.error} title="Patron could not load" onRetry={() => void me.refetch()} />
      </Center>
    );
  } else if (!me.data) {
    content = <LoginPage />;
  } else {
    content = (
      <SessionProvider me={me.data}>
        <SignedInRoutes />
      </SessionProvider>
    );
  }
  return (
    <BrowserRouter>
      <Routes>
        {/* Invitation links work signed in or out (the token is in the fragment). */}
        <Route path="/invitations/accept" element={me.isPending || me.isError ? content : <AcceptInvitationPage me={me.data ?? null} />} />
        <Route path="*" element={content} />
      </Routes>
    </BrowserRouter>
  );
}

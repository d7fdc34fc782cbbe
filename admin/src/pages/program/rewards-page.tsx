import { PageHeader } from '../../components/page-header.js';

export function RewardsPage() {
  return <PageHeader title="RewardsPage" />;
}

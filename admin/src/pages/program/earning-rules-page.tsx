import { PageHeader } from '../../components/page-header.js';

export function EarningRulesPage() {
  return <PageHeader title="EarningRulesPage" />;
}

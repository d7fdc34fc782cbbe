import { PageHeader } from '../../components/page-header.js';

export function CustomersPage() {
  return <PageHeader title="CustomersPage" />;
}

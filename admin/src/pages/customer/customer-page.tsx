import { PageHeader } from '../../components/page-header.js';

export function CustomerPage() {
  return <PageHeader title="CustomerPage" />;
}

import { PageHeader } from '../../components/page-header.js';

export function TiersPage() {
  return <PageHeader title="TiersPage" />;
}

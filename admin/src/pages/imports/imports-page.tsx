import { PageHeader } from '../../components/page-header.js';

export function ImportsPage() {
  return <PageHeader title="ImportsPage" />;
}

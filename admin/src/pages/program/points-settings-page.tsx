import { PageHeader } from '../../components/page-header.js';

export function PointsSettingsPage() {
  return <PageHeader title="PointsSettingsPage" />;
}

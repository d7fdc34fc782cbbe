import { Button } from '@mantine/core';
import { Link } from 'react-router-dom';
import { EmptyState } from '../components/feedback.js';

export function NotFoundPage() {
  return (
    <EmptyState
      icon="search"
      title="This page does not exist"
      action={
        <Button component={Link} to="/customers" variant="light">
          Go to customers
        </Button>
      }
    >
      The link may be old, or the item may belong to another organization.
    </EmptyState>
  );
}

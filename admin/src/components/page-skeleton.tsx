import { Group, Skeleton, Stack } from '@mantine/core';

/** Placeholder with the page's rough shape, so content does not jump when it arrives. */
export function PageSkeleton({ cards = 4, rows = 8 }: { cards?: number; rows?: number }) {
  return (
    <Stack gap="lg" role="status" aria-busy="true" aria-label="Loading">
      <Skeleton h={34} w={260} />
      {cards > 0 && (
        <Group grow gap="md">
          {Array.from({ length: cards }, (_, i) => (
            <Skeleton key={i} h={96} />
          ))}
        </Group>
      )}
      <Stack gap={6}>
        {Array.from({ length: rows }, (_, i) => (
          <Skeleton key={i} h={40} />
        ))}
      </Stack>
    </Stack>
  );
}

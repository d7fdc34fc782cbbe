import { Alert, Button, Center, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { createContext, use, type ReactNode } from 'react';
import type { Formatter } from '../lib/format.js';
import { staffErrorMessage } from '../lib/staff-errors.js';
import { Icon, type IconName } from './icons.js';

/** The organization's formats for error texts below it (amounts, times); pages inside a session provide it. */
export const ErrorFormatContext = createContext<Formatter | undefined>(undefined);

/** A failed request as a sentence for staff, inside dialogs and pages. */
export function ErrorAlert({ error, title = 'That did not work', onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  const fmt = use(ErrorFormatContext);
  if (!error) return null;
  return (
    <Alert color="red" variant="light" title={title} icon={<Icon name="alert" />} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{staffErrorMessage(error, fmt)}</Text>
        {onRetry && (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function EmptyState({ icon, title, children, action }: { icon: IconName; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <Center py={56} px="md">
      <Stack align="center" gap="sm" maw={460} ta="center">
        <ThemeIcon size={56} radius="xl" variant="light">
          <Icon name={icon} size={28} />
        </ThemeIcon>
        <Title order={3} size="h4">
          {title}
        </Title>
        {children && (
          <Text c="dimmed" size="sm">
            {children}
          </Text>
        )}
        {action}
      </Stack>
    </Center>
  );
}

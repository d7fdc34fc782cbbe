import { Button, Code, CopyButton, Group } from '@mantine/core';
import { Icon } from './icons.js';

/** A value shown once (a secret, a link) in full, with a button that copies it. */
export function CopyableValue({ value, testId }: { value: string; testId: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="center">
      <Code block style={{ flex: 1, wordBreak: 'break-all' }} data-testid={testId}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button onClick={copy} color={copied ? 'green' : 'brand'} leftSection={<Icon name={copied ? 'check' : 'copy'} size={16} />}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

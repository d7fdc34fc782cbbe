import { Anchor, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { signIn } from '../api/session.js';
import { ErrorAlert } from '../components/feedback.js';
import { ME_KEY } from '../lib/session.js';

export function LoginPage() {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [organization, setOrganization] = useState('');
  const [showOrg, setShowOrg] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (pending) return;
    setPending(true);
    setError(null);
    try {
      const me = await signIn({ email: email.trim(), password, ...(organization.trim() ? { organization: organization.trim() } : {}) });
      qc.setQueryData(ME_KEY, me);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" radius="lg" p={36} w="100%" maw={420}>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Stack gap="md">
            <Stack gap={4}>
              <Text fw={750} size="xl" c="brand.7" style={{ letterSpacing: '-0.02em' }}>
                Patron
              </Text>
              <Title order={1} size="h3">
                Sign in to your loyalty admin
              </Title>
              <Text size="sm" c="dimmed">
                Find a customer, see what happened, fix it safely.
              </Text>
            </Stack>
            <ErrorAlert error={error} title="Could not sign in" />
            <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} data-autofocus autoFocus />
            <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
            {showOrg ? (
              <TextInput label="Organization" description="The organization's short name (slug); leave empty for the one you used last" value={organization} onChange={(e) => setOrganization(e.currentTarget.value)} />
            ) : (
              <Anchor component="button" type="button" size="sm" onClick={() => setShowOrg(true)} style={{ alignSelf: 'flex-start' }}>
                Sign in to a specific organization
              </Anchor>
            )}
            <Button type="submit" loading={pending} disabled={!email || !password} fullWidth size="md">
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

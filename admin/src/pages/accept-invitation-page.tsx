import { Alert, Anchor, Button, Center, Divider, Loader, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { acceptInvitation, previewInvitation, registerWithInvitation } from '../api/access.js';
import type { Me } from '../api/models.js';
import { signIn, signOut } from '../api/session.js';
import { ErrorAlert } from '../components/feedback.js';
import { Icon } from '../components/icons.js';
import { ME_KEY } from '../lib/session.js';

/** The token travels in the link's fragment (#token=...), which browsers never send to a server. */
function tokenFromLocation(): string {
  return new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token') ?? '';
}

/**
 * /invitations/accept#token=...: the invited person sees what they are invited to and
 * accepts — signed in as the invited email, by signing in first, or as someone new by
 * choosing a name and password.
 */
export function AcceptInvitationPage({ me }: { me: Me | null }) {
  const [token] = useState(tokenFromLocation);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const preview = useQuery({
    queryKey: ['invitation-preview', token],
    queryFn: () => previewInvitation(token),
    enabled: token !== '',
    retry: false,
    staleTime: Infinity,
  });
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [signInPassword, setSignInPassword] = useState('');
  const [touched, setTouched] = useState(false);

  const run = async (work: () => Promise<Me>) => {
    if (pending) return;
    setPending(true);
    setError(null);
    try {
      const next = await work();
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
      qc.setQueryData(ME_KEY, next);
      void navigate('/', { replace: true });
    } catch (err) {
      setError(err);
      // Signing in may have worked even if accepting did not: show the page as it now is.
      void qc.invalidateQueries({ queryKey: ME_KEY });
    } finally {
      setPending(false);
    }
  };

  let body;
  if (!token) {
    body = (
      <Alert color="red" icon={<Icon name="alert" />} title="This link is incomplete">
        Open the whole invitation link you were given (it ends with <code>#token=…</code>), or ask for a new invitation.
      </Alert>
    );
  } else if (preview.isPending) {
    body = (
      <Center py="lg">
        <Loader aria-label="Loading the invitation" />
      </Center>
    );
  } else if (preview.isError) {
    body = (
      <Stack>
        <ErrorAlert error={preview.error} title="This invitation cannot be used" />
        <Anchor href="/">Go to sign in</Anchor>
      </Stack>
    );
  } else {
    const inv = preview.data;
    const roleLabel = inv.role === 'admin' ? 'an admin' : 'staff';
    const intro = (
      <Stack gap={4}>
        <Title order={1} size="h3">
          Join {inv.organization.name}
        </Title>
        <Text size="sm" c="dimmed">
          You are invited as {roleLabel}, with the email <b>{inv.email}</b>. The invitation expires on {new Date(inv.expiresAt).toLocaleDateString()}.
        </Text>
      </Stack>
    );
    const invitedEmail = inv.email.toLowerCase();
    if (me?.user && me.user.email.toLowerCase() === invitedEmail) {
      body = (
        <Stack>
          {intro}
          <ErrorAlert error={error} />
          <Button size="md" loading={pending} onClick={() => void run(() => acceptInvitation(token))}>
            Accept and open {inv.organization.name}
          </Button>
        </Stack>
      );
    } else if (me) {
      body = (
        <Stack>
          {intro}
          <Alert color="yellow" icon={<Icon name="alert" />} title="Signed in as someone else">
            You are signed in as {me.user?.email ?? me.actor.name}. Sign out, then accept as {inv.email}.
          </Alert>
          <Button
            variant="default"
            onClick={() =>
              void signOut().finally(() => {
                qc.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
                qc.setQueryData(ME_KEY, null);
              })
            }
          >
            Sign out
          </Button>
        </Stack>
      );
    } else {
      const passwordError = touched && password.length < 10 ? 'Use at least 10 characters' : null;
      const register = (e: FormEvent) => {
        e.preventDefault();
        setTouched(true);
        if (password.length < 10) return;
        void run(() => registerWithInvitation({ token, password, ...(name.trim() ? { name: name.trim() } : {}) }));
      };
      const signInAndAccept = (e: FormEvent) => {
        e.preventDefault();
        if (!signInPassword) return;
        void run(async () => {
          await signIn({ email: inv.email, password: signInPassword });
          return acceptInvitation(token);
        });
      };
      body = (
        <Stack>
          {intro}
          <ErrorAlert error={error} />
          <form onSubmit={register} noValidate aria-label="New to Patron">
            <Stack gap="sm">
              <Text fw={600}>New to Patron? Choose your name and password</Text>
              <TextInput label="Your name" autoComplete="name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
              <PasswordInput
                label="Choose a password"
                description="At least 10 characters"
                autoComplete="new-password"
                required
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={passwordError}
              />
              <Button type="submit" loading={pending}>
                Create my sign-in and join
              </Button>
            </Stack>
          </form>
          <Divider label="or" labelPosition="center" />
          <form onSubmit={signInAndAccept} noValidate aria-label="Already have a Patron sign-in">
            <Stack gap="sm">
              <Text fw={600}>Already have a Patron sign-in for {inv.email}?</Text>
              <PasswordInput
                label="Your current password"
                autoComplete="current-password"
                value={signInPassword}
                onChange={(e) => setSignInPassword(e.currentTarget.value)}
              />
              <Button type="submit" variant="light" loading={pending} disabled={!signInPassword}>
                Sign in and accept
              </Button>
            </Stack>
          </form>
        </Stack>
      );
    }
  }

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" radius="lg" p={36} w="100%" maw={460}>
        <Stack gap="md">
          <Text fw={750} size="xl" c="brand.7" style={{ letterSpacing: '-0.02em' }}>
            Patron
          </Text>
          {body}
        </Stack>
      </Paper>
    </Center>
  );
}

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { senderProblem } from '../../src/modules/wallet/wallet.messages.mail.js';

const base = { SESSION_SECRET: 'unit-secret-unit-secret-unit-secret-!!', PATRON_DATA_DIR: '/tmp/patron-unit-unused' };

describe('e-mail configuration', () => {
  it('takes smtp:// and smtps:// URLs and a default sender; unset means no e-mail', () => {
    expect(loadConfig(base)).toMatchObject({ smtpUrl: undefined, smtpFrom: undefined });
    const c = loadConfig({ ...base, PATRON_SMTP_URL: 'smtps://mailer:p%40ss@mail.example.com:465', PATRON_SMTP_FROM: 'Shop Rewards <rewards@shop.example>' });
    expect(c).toMatchObject({ smtpUrl: 'smtps://mailer:p%40ss@mail.example.com:465', smtpFrom: 'Shop Rewards <rewards@shop.example>' });
    expect(loadConfig({ ...base, PATRON_SMTP_URL: 'smtp://127.0.0.1:2525' }).smtpUrl).toBe('smtp://127.0.0.1:2525');
  });

  it('refuses a wrong SMTP URL naming the variable, never showing the URL (it may hold a password)', () => {
    for (const bad of ['http://mailer:secret-pw@mail.example.com', 'mailer:secret-pw@mail.example.com', 'smtp://:secret-pw@mail.example.com']) {
      let err: unknown;
      try {
        loadConfig({ ...base, PATRON_SMTP_URL: bad });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/^Invalid environment variable PATRON_SMTP_URL=\(hidden\): must be smtp:\/\/user:password@host:port or smtps:\/\//);
      expect((err as Error).message).not.toContain('secret-pw');
    }
  });

  it('refuses a sender that is not an address', () => {
    expect(() => loadConfig({ ...base, PATRON_SMTP_FROM: 'rewards at shop' })).toThrow(/PATRON_SMTP_FROM="rewards at shop": must be an address/);
  });

  it('checks an organization sender: an address, or a name and an address', () => {
    expect(senderProblem('rewards@shop.example')).toBeNull();
    expect(senderProblem('Shop Rewards <rewards@shop.example>')).toBeNull();
    expect(senderProblem('Shop <rewards@shop')).toMatch(/must be an e-mail address/);
    expect(senderProblem('Sh"op <rewards@shop.example>')).toMatch(/must not contain/);
    expect(senderProblem('a@b.example\r\nBcc: x@y.example')).toMatch(/one line/);
    expect(senderProblem(`${'x'.repeat(200)}@shop.example`)).toMatch(/at most 200/);
  });
});

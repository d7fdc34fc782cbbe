import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { optionText } from '../module.js';
import { getOrganizationBySlug } from '../orgs/index.js';
import { DEV_MARK, makeDevCertificates, PASS_TYPE_ID, TEAM_ID } from './wallet.apple.certs.js';
import { appleRoutes } from './wallet.apple.routes.js';
import { applePlatform, configureApple, verifyApplePass } from './wallet.apple.service.js';
import type { WalletPart } from './wallet.parts.js';

function readOption(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${option}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Wallet part: Apple Wallet. */
export const applePart: WalletPart = {
  routes: appleRoutes,
  verifiers: { 'apple-pass': { verify: verifyApplePass } },
  platform: applePlatform,
  commands: {
    'wallet apple configure': {
      options: {
        org: { type: 'string' },
        'pass-type-id': { type: 'string' },
        'team-id': { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        wwdr: { type: 'string' },
      },
      required: ['org', 'pass-type-id', 'team-id', 'cert', 'key', 'wwdr'],
      whenHeld: 'forward',
      run: (config, v, io) =>
        io.withRuntime(config, async (rt) => {
          const files = { certificate: readOption(optionText(v.cert)!, '--cert'), key: readOption(optionText(v.key)!, '--key'), wwdr: readOption(optionText(v.wwdr)!, '--wwdr') };
          const org = await getOrganizationBySlug(rt.ctx, optionText(v.org)!);
          const done = await configureApple(rt.ctx, org.id, { passTypeId: optionText(v['pass-type-id'])!, teamId: optionText(v['team-id'])!, ...files });
          io.out(
            `Apple Wallet configured for ${org.slug}: ${done.passTypeId} (team ${done.teamId}), certificate valid until ${done.expiresAt.toISOString()}` +
              (done.selfSigned ? `\nThis is a self-signed development set: passes verify with openssl but are not accepted by iPhones.` : ''),
          );
          if (!rt.ctx.config.publicUrl?.startsWith('https://')) io.out('Set PATRON_PUBLIC_URL to the https address devices reach, or passes will not update on devices.');
          return 0;
        }),
    },
    'wallet apple dev-certs': {
      options: { out: { type: 'string' }, 'pass-type-id': { type: 'string' }, 'team-id': { type: 'string' } },
      required: ['out'],
      whenHeld: 'forward',
      run: async (_config, v, io) => {
        const passTypeId = optionText(v['pass-type-id']) ?? 'pass.dev.patron.loyalty';
        const teamId = optionText(v['team-id']) ?? 'DEVTEAM000';
        if (!PASS_TYPE_ID.test(passTypeId)) {
          io.err('--pass-type-id must be a Pass Type ID such as pass.com.example.loyalty\n');
          return 2;
        }
        if (!TEAM_ID.test(teamId)) {
          io.err('--team-id must be 10 upper-case letters and digits, such as ABCDE12345\n');
          return 2;
        }
        const out = optionText(v.out)!;
        const set = makeDevCertificates(passTypeId, teamId, new Date());
        mkdirSync(out, { recursive: true });
        const names = {
          wwdr: join(out, 'dev-wwdr-NOT-ACCEPTED-BY-IPHONES.pem'),
          cert: join(out, 'dev-pass-certificate-NOT-ACCEPTED-BY-IPHONES.pem'),
          key: join(out, 'dev-pass-key-NOT-ACCEPTED-BY-IPHONES.pem'),
        };
        writeFileSync(names.wwdr, set.wwdrPem);
        writeFileSync(names.cert, set.certificatePem);
        writeFileSync(names.key, set.keyPem, { mode: 0o600 });
        io.out(
          [
            `Development certificates (${DEV_MARK}: iPhones trust only Apple's WWDR) for ${passTypeId}, team ${teamId}:`,
            `  ${names.cert}`,
            `  ${names.key}`,
            `  ${names.wwdr}`,
            `Configure with: patron wallet apple configure --org <slug> --pass-type-id ${passTypeId} --team-id ${teamId} --cert ${names.cert} --key ${names.key} --wwdr ${names.wwdr}`,
          ].join('\n'),
        );
        return 0;
      },
    },
  },
};

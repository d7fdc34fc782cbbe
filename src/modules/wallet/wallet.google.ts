import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { AppError } from '../../errors.js';
import { optionText } from '../module.js';
import { getOrganizationBySlug } from '../orgs/index.js';
import { walletGoogleRoutes } from './wallet.google.routes.js';
import { configureGoogle, googlePlatform } from './wallet.google.service.js';
import type { WalletPart } from './wallet.parts.js';

export { googleSaveLink, googleSaveUrl } from './wallet.google.service.js';

/** Reads a file named on the command line; a clear field error when it cannot be read. */
function readOptionFile(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const relative = isAbsolute(path) ? '' : ' (a relative path is read from the directory of the process running the command: give an absolute path when a server holds the data folder)';
    throw AppError.validation(option, `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}${relative}`);
  }
}

/** `--origin` given once or more, each possibly a comma-separated list. */
function originList(v: unknown): string[] {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  return items.flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
}

/** Wallet part: Google Wallet. */
export const googlePart: WalletPart = {
  routes: walletGoogleRoutes,
  platform: googlePlatform,
  commands: {
    'wallet google configure': {
      options: {
        org: { type: 'string' },
        'issuer-id': { type: 'string' },
        'service-account': { type: 'string' },
        'class-suffix': { type: 'string' },
        origin: { type: 'string', multiple: true },
        'logo-url': { type: 'string' },
        'program-name': { type: 'string' },
      },
      required: ['org', 'issuer-id', 'service-account'],
      whenHeld: 'forward',
      run: (config, v, io) =>
        io.withRuntime(config, async (rt) => {
          const org = await getOrganizationBySlug(rt.ctx, optionText(v.org)!);
          const file = optionText(v['service-account'])!;
          const r = await configureGoogle(rt.ctx, org, {
            issuerId: optionText(v['issuer-id'])!,
            serviceAccountJson: readOptionFile(file, 'service-account'),
            classSuffix: optionText(v['class-suffix']),
            origins: originList((v as Record<string, unknown>).origin),
            logoUrl: optionText(v['logo-url']),
            programName: optionText(v['program-name']),
          });
          io.out(`Google Wallet configured for ${org.slug}: loyalty class ${r.classId} ${r.class}, acting as ${r.serviceAccountEmail}`);
          io.out(r.origins.length > 0 ? `Save buttons allowed on: ${r.origins.join(', ')}` : 'No --origin given: the save link works, but a "Save to Google Wallet" button on a web page needs its origin listed');
          io.out('Until Google approves the issuer account for publishing, only the account\'s test users can save passes (demo mode)');
          return 0;
        }),
    },
  },
};

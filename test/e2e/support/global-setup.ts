import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ROOT, startServer, type RunningServer } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    /** The server's data folder, for CLI commands forwarded to it (`patron marketing connect`). */
    dataDir: string;
  }
}

let server: RunningServer | null = null;

export async function setup(project: TestProject): Promise<void> {
  if (!existsSync(join(ROOT, 'admin/dist/index.html'))) {
    throw new Error('admin/dist is missing: run `npm run build:admin` (npm run test:e2e does it)');
  }
  server = await startServer();
  project.provide('baseUrl', server.baseUrl);
  project.provide('dataDir', server.dataDir);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  server = null;
}

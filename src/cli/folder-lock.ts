import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One owner per embedded data folder. PGlite is a database inside one process: a second
 * process opening the same folder would work on its own copy and its writes would be lost.
 * So every `patron` process that opens the folder first claims it with a lock file; a
 * server also publishes where other `patron` commands can reach it, and they run there.
 */
export interface FolderOwner {
  pid: number;
  /** The command holding the folder, e.g. `serve`. */
  command: string;
  startedAt: string;
  /** Public URL of a server holding the folder, once it listens. */
  url?: string;
  /** Loopback address where a server carries out other `patron` commands. */
  controlUrl?: string;
  /** Shared secret for the control address (the file is readable by its owner only). */
  token: string;
}

export const LOCK_FILE = 'patron.lock';

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): FolderOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as FolderOwner;
    return typeof parsed.pid === 'number' && typeof parsed.token === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/** The live process holding the folder, if any (a lock left by a killed process is not one). */
export function folderOwner(dataDir: string): FolderOwner | null {
  const owner = readOwner(join(dataDir, LOCK_FILE));
  return owner && isAlive(owner.pid) ? owner : null;
}

/** One line telling who holds the folder. */
export function describeOwner(owner: FolderOwner, dataDir: string): string {
  const who = owner.command === 'serve' || owner.command === 'start' ? 'a running Patron server' : `"patron ${owner.command}"`;
  const where = owner.url ? `pid ${owner.pid}, ${owner.url}` : `pid ${owner.pid}`;
  return `the embedded database in ${dataDir} is held by ${who} (${where})`;
}

export class FolderLock {
  private released = false;
  private readonly onExit = () => this.release();
  private constructor(
    private readonly file: string,
    private owner: FolderOwner,
  ) {
    process.once('exit', this.onExit);
  }

  get token(): string {
    return this.owner.token;
  }

  /** Claims the folder for this process, or returns the live owner that holds it. */
  static claim(dataDir: string, command: string): FolderLock | { heldBy: FolderOwner } {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, LOCK_FILE);
    const owner: FolderOwner = { pid: process.pid, command, startedAt: new Date().toISOString(), token: randomBytes(32).toString('base64url') };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        try {
          writeSync(fd, JSON.stringify(owner));
        } finally {
          closeSync(fd);
        }
        return new FolderLock(file, owner);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const current = readOwner(file);
      if (current && isAlive(current.pid)) return { heldBy: current };
      // A lock left by a process that died (or an unreadable one): move it aside and retry.
      try {
        renameSync(file, `${file}.stale-${process.pid}`);
        unlinkSync(`${file}.stale-${process.pid}`);
      } catch {
        // Another process cleared it first.
      }
    }
    const current = readOwner(file);
    if (current) return { heldBy: current };
    throw new Error(`Could not claim ${file}`);
  }

  /** Tells other `patron` commands where this server is. */
  publish(info: { url: string; controlUrl: string }): void {
    this.owner = { ...this.owner, ...info };
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.owner), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    const current = readOwner(this.file);
    if (current && current.pid === process.pid && current.token === this.owner.token) {
      try {
        unlinkSync(this.file);
      } catch {
        // Already gone.
      }
    }
  }
}

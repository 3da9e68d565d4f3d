import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { generateApiKey, parseApiKey } from '@tradetally/contracts';
import { type Db, openDb } from '@tradetally/database';
import { SMTPServer } from 'smtp-server';

const WORKER_MAIN = join(new URL('../..', import.meta.url).pathname, 'dist/main.js');
export const PEPPER = 'worker-test-pepper-worker-test-pepper';

/** One e-mail the test SMTP server accepted. */
export interface Mail {
  to: string;
  subject: string;
  messageId: string;
  raw: string;
}

/** A header value with folded lines joined and RFC 2047 words (=?UTF-8?Q?…?= / ?B?) decoded. */
function headerValue(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const value = new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(unfolded)?.[1]?.trim() ?? '';
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
    );
}

/** A real SMTP server on loopback that keeps what it receives; `delayMs` slows each message. */
export async function startSmtp(delayMs = 0): Promise<{ url: string; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => headerValue(raw, name);
        setTimeout(() => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), subject: header('Subject'), messageId: header('Message-ID'), raw });
          done();
        }, delayMs);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A worker process (the built dist/main.js) with its output kept. */
export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a real worker process; by default it sweeps every second and keeps job locks short. */
export function startWorker(env: Record<string, string>): WorkerProcess {
  const output: string[] = [];
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { ...process.env, NODE_ENV: 'test', SWEEP_CRON: '* * * * * *', ROTATION_AGE_DAYS: '0', UNUSED_DAYS: '0', JOB_LOCK_MS: '2000', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  return {
    child,
    output,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** Polls until `check` is true (or throws with `what` after `timeoutMs`). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Rows in a database the test set up through the real migrations. */
export class Seeder {
  private constructor(readonly db: Db) {}

  static async open(url: string): Promise<Seeder> {
    return new Seeder(await openDb(url));
  }

  async user(email = `owner-${randomBytes(4).toString('hex')}@example.com`, options: { verified?: boolean } = {}): Promise<{ id: string; email: string }> {
    const id = randomUUID();
    // Confirmed a day ago unless a test says otherwise: only confirmed addresses get e-mail.
    const verifiedAt = options.verified === false ? null : new Date(Date.now() - 86_400_000);
    await this.db.query('INSERT INTO users (id, email, password_hash, created_at, email_verified_at) VALUES ($1, $2, $3, $4, $5)', [id, email, 'scrypt$unused', new Date(), verifiedAt]);
    return { id, email };
  }

  /** A key row as the API would store it; returns its id and the raw secret (which only the test knows). */
  async key(userId: string, fields: { name?: string; createdAt: Date; expiresAt?: Date | null; graceEndsAt?: Date | null; rotatedToId?: string | null; lastUsedAt?: Date | null; canary?: boolean }) {
    const id = randomUUID();
    const secret = generateApiKey('live');
    const parts = parseApiKey(secret);
    await this.db.query(
      `INSERT INTO api_keys (id, user_id, name, scope, environment, prefix, last4, key_hash, created_at, expires_at, grace_ends_at, rotated_to_id, last_used_at, canary)
       VALUES ($1, $2, $3, 'read_write', 'live', $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [id, userId, fields.name ?? 'Broker sync', parts?.prefix ?? '', parts?.last4 ?? '', createHmac('sha256', PEPPER).update(secret).digest('hex'), fields.createdAt, fields.expiresAt ?? null, fields.graceEndsAt ?? null, fields.rotatedToId ?? null, fields.lastUsedAt ?? null, fields.canary ?? false],
    );
    return { id, secret, prefix: parts?.prefix ?? '', last4: parts?.last4 ?? '' };
  }

  async count(sql: string, params: Array<string | Date> = []): Promise<number> {
    const [row] = await this.db.query<{ n: number | string }>(sql, params);
    return Number(row?.n ?? 0);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** Hours from now as a Date. */
export const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000);

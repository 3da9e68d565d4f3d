import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One e-mail the test SMTP server accepted. */
export interface Mail {
  to: string;
  subject: string;
  messageId: string;
  raw: string;
}

/** A header value with folded lines joined and RFC 2047 words (=?UTF-8?Q?…?= / ?B?) decoded. */
export function headerValue(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const value = new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(unfolded)?.[1]?.trim() ?? '';
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, encoding: string, text: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

/** A running SMTP capture. */
export interface SmtpCapture {
  /** `smtp://127.0.0.1:<port>`, for the worker's SMTP_URL. */
  url: string;
  /** Every message accepted so far, in order. */
  mails: Mail[];
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps what it receives; `delayMs` slows each message. */
export async function startSmtp(delayMs = 0): Promise<SmtpCapture> {
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
        setTimeout(() => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
            subject: headerValue(raw, 'Subject'),
            messageId: headerValue(raw, 'Message-ID'),
            raw,
          });
          done();
        }, delayMs);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

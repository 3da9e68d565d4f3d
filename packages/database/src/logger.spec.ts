import { PassThrough } from 'node:stream';
import { generateApiKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseEnv, sharedConfigShape } from './config.js';
import { chooseLogFormat, createLogger, logDestination, prettyStream } from './logger.js';

/** Collects what a stream receives, as text. */
function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('chooseLogFormat', () => {
  it('is readable when standard output is a terminal and LOG_FORMAT is unset', () => {
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
  });

  it('is JSON when standard output is not a terminal and LOG_FORMAT is unset', () => {
    expect(chooseLogFormat(undefined, false)).toBe('json');
  });

  it('is LOG_FORMAT when set, terminal or not', () => {
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });
});

describe('logDestination', () => {
  it("is pino's own JSON output (no stream) for JSON", () => {
    expect(logDestination(undefined, false)).toBeUndefined();
    expect(logDestination('json', true)).toBeUndefined();
  });

  it('is a pino-pretty stream on a terminal', () => {
    expect(logDestination(undefined, true)).toMatchObject({ write: expect.any(Function) });
  });
});

describe('LOG_FORMAT', () => {
  const schema = z.object(sharedConfigShape);

  it('is optional and takes json or pretty', () => {
    expect(parseEnv(schema, {}).LOG_FORMAT).toBeUndefined();
    expect(parseEnv(schema, { LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
  });

  it('stops the start with the variable named for anything else', () => {
    expect(() => parseEnv(schema, { LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => parseEnv(schema, { LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});

describe('createLogger', () => {
  it('writes one JSON object a line by default', () => {
    const out = capture();
    createLogger('info', out.stream).info({ context: 'Worker' }, 'worker ready');
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, context: 'Worker', msg: 'worker ready' });
  });

  it('writes readable lines through pino-pretty: time, level, [context], the message, no JSON', () => {
    const out = capture();
    createLogger('info', prettyStream(out.stream)).info({ context: 'Worker' }, 'worker ready');
    expect(out.text()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*: \[Worker\] worker ready\n$/);
    expect(out.text()).not.toContain('{');
  });

  it('writes a request line as method, URL, status and time', () => {
    const out = capture();
    createLogger('info', prettyStream(out.stream)).info(
      { req: { id: 1, method: 'GET', url: '/v1/trades?limit=1' }, res: { statusCode: 200 }, responseTime: 3 },
      'request completed',
    );
    expect(out.text()).toContain('GET /v1/trades?limit=1 200 3 ms request completed');
  });

  it('scrubs keys from readable lines as from JSON ones: message, fields, errors and URLs', () => {
    const key = generateApiKey('live');
    for (const pretty of [false, true]) {
      const out = capture();
      const logger = createLogger('info', pretty ? prettyStream(out.stream) : out.stream);
      logger.info({ note: `pasted ${key}`, secret: 'hunter2-hunter2' }, `found ${key}`);
      logger.error({ err: new Error(`bad key ${key}`) }, 'failed');
      logger.info({ req: { method: 'GET', url: `/v1/x?key=${key}` }, res: { statusCode: 401 } }, 'request completed');
      expect(out.text()).toContain('tt_live_');
      expect(out.text()).not.toContain(key);
      expect(out.text()).not.toContain('hunter2');
    }
  });
});

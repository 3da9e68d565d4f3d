import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestRepositories, databaseKinds, openTestRepositories } from '../testing.js';
import { isUniqueViolation } from './sql.js';

describe.each(await databaseKinds())('UsersRepository and SessionsRepository on %s', (kind) => {
  let repos: TestRepositories;
  beforeAll(async () => {
    repos = await openTestRepositories(kind);
  });
  afterAll(() => repos.close());

  it('stores a user, finds it by id and e-mail, and refuses a taken address', async () => {
    const id = await repos.user('taken@example.com');
    expect((await repos.users.findByEmail('taken@example.com'))?.id).toBe(id);
    expect((await repos.users.findById(id))?.email).toBe('taken@example.com');
    expect(isUniqueViolation(await repos.user('taken@example.com').catch((e: unknown) => e))).toBe(true);
  });

  it('replaces a password hash only while it is the expected one', async () => {
    const id = await repos.user();
    expect(await repos.users.replacePasswordHash(id, 'wrong', 'new')).toBe(false);
    expect(await repos.users.replacePasswordHash(id, 'x', 'new')).toBe(true);
    expect((await repos.users.findById(id))?.passwordHash).toBe('new');
  });

  it('confirms an e-mail with the newest token, once', async () => {
    const id = await repos.user();
    expect(await repos.users.setEmailToken(id, 'first', new Date(Date.now() + 60_000))).toBe(true);
    expect(await repos.users.setEmailToken(id, 'second', new Date(Date.now() + 60_000))).toBe(true);
    expect(await repos.users.findByEmailToken('first')).toBeNull();
    const at = new Date();
    expect(await repos.users.confirmEmail(id, 'second', at)).toBe(true);
    expect(await repos.users.confirmEmail(id, 'second', new Date())).toBe(false);
    expect(await repos.users.findById(id)).toMatchObject({ emailVerifiedAt: at, emailTokenHash: null });
    expect(await repos.users.setEmailToken(id, 'third', new Date())).toBe(false);
  });

  it('lists recent accounts whose confirmation e-mail never went out', async () => {
    const since = new Date(Date.now() - 60_000);
    const waiting = await repos.user();
    const sent = await repos.user();
    await repos.users.setEmailToken(sent, 'token-hash', new Date(Date.now() + 60_000));
    const old = randomUUID();
    await repos.users.insert({
      id: old,
      email: `old-${old}@example.com`,
      passwordHash: 'x',
      createdAt: new Date(since.getTime() - 1000),
      emailVerifiedAt: null,
      emailTokenHash: null,
      emailTokenExpiresAt: null,
    });
    const ids = (await repos.users.awaitingConfirmation(since)).map((user) => user.id);
    expect(ids).toContain(waiting);
    expect(ids).not.toContain(sent);
    expect(ids).not.toContain(old);
  });

  it('stores a session, finds it by token hash, and deletes it', async () => {
    const userId = await repos.user();
    const session = {
      id: randomUUID(),
      userId,
      tokenHash: `t-${randomUUID()}`,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
      client: 'extension' as const,
    };
    await repos.sessions.insert(session);
    expect(await repos.sessions.findByTokenHash(session.tokenHash)).toEqual(session);
    await repos.sessions.delete(session.id);
    expect(await repos.sessions.findByTokenHash(session.tokenHash)).toBeNull();
  });

  it('knows a device of this account seen within the window, and no other', async () => {
    const owner = await repos.user();
    const stranger = await repos.user();
    const hash = `d-${randomUUID()}`;
    const month = 30 * 86_400_000;
    expect(await repos.sessions.isKnownDevice(owner, hash, new Date(Date.now() - month))).toBe(false);
    await repos.sessions.rememberDevice(owner, hash, new Date(Date.now() - month - 60_000));
    expect(await repos.sessions.isKnownDevice(owner, hash, new Date(Date.now() - month))).toBe(false);
    await repos.sessions.rememberDevice(owner, hash, new Date());
    expect(await repos.sessions.isKnownDevice(owner, hash, new Date(Date.now() - month))).toBe(true);
    // Another account presenting the same token neither knows it nor takes it over.
    await repos.sessions.rememberDevice(stranger, hash, new Date());
    expect(await repos.sessions.isKnownDevice(stranger, hash, new Date(Date.now() - month))).toBe(false);
    expect(await repos.sessions.isKnownDevice(owner, hash, new Date(Date.now() - month))).toBe(true);
  });

  it('gives an address at most `max` confirmation e-mails per window', async () => {
    const address = `a-${randomUUID()}`;
    const day = 86_400_000;
    const now = Date.now();
    // One claim older than the window does not count.
    expect(await repos.users.claimConfirmationEmail(address, new Date(now - day - 1000), 2, day)).toBe(true);
    expect(await repos.users.claimConfirmationEmail(address, new Date(now), 2, day)).toBe(true);
    expect(await repos.users.claimConfirmationEmail(address, new Date(now + 1), 2, day)).toBe(true);
    expect(await repos.users.claimConfirmationEmail(address, new Date(now + 2), 2, day)).toBe(false);
    expect(await repos.users.claimConfirmationEmail(`other-${address}`, new Date(now + 2), 2, day)).toBe(true);
  });

  it('gives exactly `max` confirmation e-mails to 60 claims made at once', async () => {
    const address = `a-${randomUUID()}`;
    const at = new Date();
    const claims = await Promise.all(Array.from({ length: 60 }, () => repos.users.claimConfirmationEmail(address, at, 5, 86_400_000)));
    expect(claims.filter(Boolean)).toHaveLength(5);
  });
});

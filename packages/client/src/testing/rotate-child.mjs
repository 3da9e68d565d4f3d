// One integration process for the autoRotate race: it loads the shared key from a file store,
// waits for the common start time so that all processes check at once, then prints what it ended on.
import { TradeTallyClient, autoRotate } from '@tradetally/client';
import { fileStore } from '@tradetally/client/node';

const [baseUrl, storePath, startAt] = process.argv.slice(2);
const store = fileStore(storePath);
const client = new TradeTallyClient({ baseUrl, apiKey: await store.load() });
await new Promise((done) => setTimeout(done, Math.max(0, Number(startAt) - Date.now())));
const result = await autoRotate({ client, store, beforeDays: 14, gracePeriodMinutes: 30 }).check();
const self = await client.keys.self();
console.log(JSON.stringify({ rotated: result.rotated, keyId: result.key.id, selfId: self.id, usesStored: client.apiKey === (await store.load()) }));

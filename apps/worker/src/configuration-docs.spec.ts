import { configurationDrift } from '@tradetally/database/testing';
import { describe, expect, it } from 'vitest';
import { WorkerConfigSchema } from './config.js';

describe('docs/configuration.md', () => {
  it('lists every variable the worker reads, with its default, and none it does not read', () => {
    expect(configurationDrift(WorkerConfigSchema.shape, ['Both the API and the worker', 'The worker'])).toEqual({ missing: [], stale: [], wrongDefault: [] });
  });
});

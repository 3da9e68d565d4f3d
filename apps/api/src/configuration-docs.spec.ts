import { configurationDrift } from '@tradetally/database/testing';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from './config.js';

describe('docs/configuration.md', () => {
  it('lists every variable the API reads, with its default, and none it does not read', () => {
    expect(configurationDrift(ConfigSchema.shape, ['Both the API and the worker', 'The API'])).toEqual({ missing: [], stale: [], wrongDefault: [] });
  });
});

import { loadConfig } from '../../src/config';

describe('configuration', () => {
  test('defaults: embedded server with the demo world; DATABASE_URL turns the seed off', () => {
    expect(loadConfig({})).toMatchObject({ port: 4000, demoSeed: true, demoPassword: 'bkb-demo', maxPageSize: 100, databaseUrl: undefined });
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y' }).demoSeed).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y', DEMO_SEED: 'true' }).demoSeed).toBe(true);
  });

  test('production never seeds by default, and refuses the published demo password', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).demoSeed).toBe(false);
    expect(() => loadConfig({ NODE_ENV: 'production', DEMO_SEED: 'true' })).toThrow(/DEMO_PASSWORD/);
    expect(loadConfig({ NODE_ENV: 'production', DEMO_SEED: 'true', DEMO_PASSWORD: 'a-long-secret' }).demoSeed).toBe(true);
  });

  test('a number that is not one is a clear error', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT must be a non-negative integer/);
  });
});

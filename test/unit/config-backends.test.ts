import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const secrets = {
  JWT_SECRET: 'unit-test-secret-that-is-at-least-32-characters',
  PII_HMAC_KEY: Buffer.alloc(32, 1).toString('base64'),
  PII_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64'),
};
const DB = 'postgres://app@db.internal:5432/doorstroom';
const REDIS = 'redis://redis.internal:6379';

describe('which database and queue backend a configuration picks', () => {
  it('needs nothing installed in development: embedded PostgreSQL under the project, queues on PostgreSQL', () => {
    const config = loadConfig({ ...secrets });
    expect(config.database.url).toBeUndefined();
    expect(config.database.embedded).toMatchObject({ database: 'doorstroom', port: undefined });
    expect(config.database.embedded!.dir).toMatch(/[/\\]\.data[/\\]postgres$/);
    expect(config.queues.backend).toBe('postgres');
  });

  it('uses Redis for the queues whenever REDIS_URL is set, unless QUEUE_BACKEND says postgres', () => {
    expect(loadConfig({ ...secrets, DATABASE_URL: DB, REDIS_URL: REDIS }).queues.backend).toBe('redis');
    expect(loadConfig({ ...secrets, DATABASE_URL: DB, REDIS_URL: REDIS, QUEUE_BACKEND: 'postgres' }).queues.backend).toBe('postgres');
  });

  it('never starts an embedded server when DATABASE_URL is set', () => {
    const config = loadConfig({ ...secrets, DATABASE_URL: DB, EMBEDDED_DB: 'true' });
    expect(config.database).toMatchObject({ url: DB, embedded: undefined });
  });

  it('takes the embedded directory and port from EMBEDDED_DB_DIR and EMBEDDED_DB_PORT', () => {
    const config = loadConfig({ ...secrets, EMBEDDED_DB_DIR: '/var/tmp/dsdb', EMBEDDED_DB_PORT: '0' });
    expect(config.database.embedded).toMatchObject({ dir: '/var/tmp/dsdb', port: 0 });
  });

  it('refuses to start without DATABASE_URL in production, or when EMBEDDED_DB=false', () => {
    const production = { ...secrets, NODE_ENV: 'production', JWT_SECRET: undefined, JWT_JWKS_URL: 'https://idp.example/jwks' };
    expect(() => loadConfig(production)).toThrow(/DATABASE_URL: required in production/);
    expect(() => loadConfig({ ...production, EMBEDDED_DB: 'true' })).toThrow(/DATABASE_URL: required in production/);
    expect(() => loadConfig({ ...secrets, EMBEDDED_DB: 'false' })).toThrow(/DATABASE_URL: required when EMBEDDED_DB=false/);
    expect(loadConfig({ ...production, DATABASE_URL: DB }).queues.backend).toBe('postgres');
  });

  it('refuses QUEUE_BACKEND=redis without REDIS_URL, naming the variable', () => {
    expect(() => loadConfig({ ...secrets, QUEUE_BACKEND: 'redis' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...secrets, QUEUE_BACKEND: 'redis' })).toThrow(/REDIS_URL: required when QUEUE_BACKEND=redis/);
  });
});

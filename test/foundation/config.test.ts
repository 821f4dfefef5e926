import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../server/shared/config.js';

const hex = () => randomBytes(32).toString('hex');

describe('config', () => {
  it('applies defaults and reads keys', () => {
    const result = parseConfig({ SECRET_KEY: hex(), SESSION_KEY: hex() });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.port).toBe(3000);
    expect(result.config.role).toBe('all');
    expect(result.config.logLevel).toBe('info');
    expect(result.config.demo).toBe(false);
    expect(result.config.secretKeys[0]).toHaveLength(32);
  });

  it('sets database limits by role: short for web and all, longer for workers, each configurable', () => {
    const of = (env: Record<string, string>) => {
      const result = parseConfig({ SECRET_KEY: hex(), SESSION_KEY: hex(), ...env });
      if (!result.ok) throw new Error(result.errors.join('\n'));
      return result.config.dbTimeouts;
    };
    expect(of({})).toEqual({ statementMs: 10_000, lockMs: 3_000 });
    expect(of({ ROLE: 'web' })).toEqual({ statementMs: 10_000, lockMs: 3_000 });
    expect(of({ ROLE: 'worker' })).toEqual({ statementMs: 120_000, lockMs: 30_000 });
    expect(of({ ROLE: 'web', DB_WEB_LOCK_TIMEOUT_MS: '800', DB_WEB_STATEMENT_TIMEOUT_MS: '4000' })).toEqual({
      statementMs: 4000,
      lockMs: 800,
    });
    expect(of({ ROLE: 'worker', DB_WORKER_LOCK_TIMEOUT_MS: '9000' }).lockMs).toBe(9000);
    const bad = parseConfig({ SECRET_KEY: hex(), SESSION_KEY: hex(), DB_WEB_LOCK_TIMEOUT_MS: 'soon' });
    expect(bad.ok ? [] : bad.errors).toEqual([
      expect.stringMatching(/^DB_WEB_LOCK_TIMEOUT_MS: .*milliseconds/),
    ]);
  });

  it('keeps the demo quiet by default (warn), so the URL to open is what a newcomer sees; LOG_LEVEL still wins', () => {
    const demo = parseConfig({ DEMO: 'on' }, { secretKey: randomBytes(32), sessionKey: randomBytes(32) });
    expect(demo.ok && demo.config.logLevel).toBe('warn');
    const loud = parseConfig(
      { DEMO: 'on', LOG_LEVEL: 'debug' },
      { secretKey: randomBytes(32), sessionKey: randomBytes(32) },
    );
    expect(loud.ok && loud.config.logLevel).toBe('debug');
  });

  it('names every bad variable on its own line with what is expected', () => {
    const result = parseConfig({
      PORT: 'eighty',
      ROLE: 'boss',
      DATABASE_URL: 'mysql://x',
      SECRET_KEY: 'short',
      LOG_LEVEL: 'loud',
      CW_ALLOWED_ORIGINS: 'https://na.myconnectwise.net,not a url',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byVariable = (name: string) => result.errors.filter((line) => line.startsWith(`${name}:`));
    for (const name of ['PORT', 'ROLE', 'DATABASE_URL', 'SECRET_KEY', 'LOG_LEVEL', 'CW_ALLOWED_ORIGINS']) {
      expect(byVariable(name), name).toHaveLength(1);
      expect(byVariable(name)[0]).toContain('expected');
    }
  });

  it('requires both keys outside demo mode', () => {
    const result = parseConfig({ DATABASE_URL: 'postgres://localhost/x' });
    expect(result).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^SECRET_KEY: missing/), expect.stringMatching(/^SESSION_KEY: missing/)],
    });
  });

  it('refuses the same key for encryption and sessions', () => {
    const key = hex();
    const result = parseConfig({ SECRET_KEY: key, SESSION_KEY: key });
    expect(result.ok).toBe(false);
  });

  it('normalises allowed origins', () => {
    const result = parseConfig({
      SECRET_KEY: hex(),
      SESSION_KEY: hex(),
      CW_ALLOWED_ORIGINS: 'https://na.myconnectwise.net/, https://eu.myconnectwise.net/v4_6_release',
      PUBLIC_URL: 'https://ledgerpod.example.com/',
    });
    expect(result.ok && result.config.cwAllowedOrigins).toEqual([
      'https://na.myconnectwise.net',
      'https://eu.myconnectwise.net',
    ]);
    expect(result.ok && result.config.publicUrl).toBe('https://ledgerpod.example.com');
  });

  it('with no configuration runs the demo with keys generated once into DATA_DIR (mode 0600)', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledgerpod-config-'));
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(first.ok && first.config.demo).toBe(true);
    if (!first.ok || !second.ok) throw new Error('demo config failed');
    expect(second.config.secretKeys[0]!.equals(first.config.secretKeys[0]!)).toBe(true);
    expect(second.config.sessionKey.equals(first.config.sessionKey)).toBe(true);
    const file = join(dataDir, 'demo-keys.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(first.config.sessionKey.toString('hex'));
  });
});

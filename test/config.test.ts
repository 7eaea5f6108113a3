import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('starts on embedded defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ HOST: '127.0.0.1', PORT: 3000, DATA_DIR: './var', CONTENT_DIR: './data', CORPUS: [] });
    // Unset: the decision model's own threshold applies.
    expect(c.ANSWER_MIN_CONFIDENCE).toBeUndefined();
    expect(loadConfig({ ANSWER_MIN_CONFIDENCE: '0.55' }).ANSWER_MIN_CONFIDENCE).toBe(0.55);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('splits CORPUS on commas and ignores blanks', () => {
    expect(loadConfig({ CORPUS: ' a.jsonl, ,b.jsonl.gz ' }).CORPUS).toEqual(['a.jsonl', 'b.jsonl.gz']);
  });

  it('requires a webhook secret when PUBLIC_URL is set', () => {
    expect(() => loadConfig({ PUBLIC_URL: 'https://bot.example.vn' })).toThrow(/WEBHOOK_SECRET/);
    expect(loadConfig({ PUBLIC_URL: 'https://bot.example.vn', WEBHOOK_SECRET: 'a'.repeat(32) }).WEBHOOK_SECRET).toBe('a'.repeat(32));
  });

  it('treats empty variables as unset and checks the Zalo base URL and https webhooks', () => {
    const c = loadConfig({ TELEGRAM_BOT_TOKEN: '', ZALO_BOT_TOKEN: ' ', PUBLIC_URL: '', ZALO_API_BASE: 'http://127.0.0.1:9/' });
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(c.ZALO_BOT_TOKEN).toBeUndefined();
    expect(c.ZALO_API_BASE).toBe('http://127.0.0.1:9');
    expect(() => loadConfig({ ZALO_API_BASE: 'https://x.vn/?a=1' })).toThrow(/ZALO_API_BASE/);
    expect(() => loadConfig({ PUBLIC_URL: 'http://bot.example.vn', WEBHOOK_SECRET: 'a'.repeat(32) })).toThrow(/PUBLIC_URL/);
  });

  it('takes admins on Telegram and Zalo only (web sessions are not authenticated)', () => {
    expect(loadConfig({ ADMIN_IDS: 'telegram:123, zalo:abc-1' }).ADMIN_IDS).toEqual(['telegram:123', 'zalo:abc-1']);
    expect(() => loadConfig({ ADMIN_IDS: 'web:x' })).toThrow(/ADMIN_IDS/);
  });

  it('validates the digest schedule and paces', () => {
    expect(loadConfig({}).DIGEST_CRON).toBe('0 * * * *');
    expect(() => loadConfig({ DIGEST_CRON: 'every hour' })).toThrow(/DIGEST_CRON/);
    expect(() => loadConfig({ TELEGRAM_SEND_RATE: '0' })).toThrow(/TELEGRAM_SEND_RATE/);
    expect(loadConfig({ DIGEST_CATCHUP_HOURS: '2' }).DIGEST_CATCHUP_HOURS).toBe(2);
  });

  it('keeps the importer on public addresses and ports 80, 443, 8080 unless INGEST_ALLOW_PRIVATE / INGEST_ALLOWED_PORTS say otherwise', () => {
    expect(loadConfig({})).toMatchObject({ INGEST_ALLOW_PRIVATE: false, INGEST_ALLOWED_PORTS: [80, 443, 8080] });
    expect(loadConfig({ INGEST_ALLOW_PRIVATE: 'true', INGEST_ALLOWED_PORTS: '443, 8443' })).toMatchObject({
      INGEST_ALLOW_PRIVATE: true,
      INGEST_ALLOWED_PORTS: [443, 8443],
    });
    expect(loadConfig({ INGEST_ALLOW_PRIVATE: 'false' }).INGEST_ALLOW_PRIVATE).toBe(false);
    expect(() => loadConfig({ INGEST_ALLOW_PRIVATE: 'có' })).toThrow(/INGEST_ALLOW_PRIVATE/);
    for (const INGEST_ALLOWED_PORTS of ['80,http', '0', '65536', '0x50', ','])
      expect(() => loadConfig({ INGEST_ALLOWED_PORTS }), INGEST_ALLOWED_PORTS).toThrow(/INGEST_ALLOWED_PORTS/);
  });

  it('lists every problem at once, each with the variable name', () => {
    try {
      loadConfig({ PORT: 'abc', ANSWER_MIN_CONFIDENCE: '2', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      for (const name of ['PORT', 'ANSWER_MIN_CONFIDENCE', 'LOG_LEVEL']) expect(message).toContain(name);
    }
  });

  it('names a missing WEBHOOK_SECRET next to a bad PORT', () => {
    expect(() => loadConfig({ PORT: 'abc', PUBLIC_URL: 'https://x' })).toThrow(/PORT[\s\S]*WEBHOOK_SECRET is required when PUBLIC_URL is set/);
  });

  it('takes PORT as a decimal integer up to 65535 only (0 asks for any free port)', () => {
    expect(loadConfig({ PORT: '40001' }).PORT).toBe(40001);
    expect(loadConfig({ PORT: '0' }).PORT).toBe(0);
    for (const PORT of ['0x9C41', '1e3', '3000.5', '-1', '65536', ' 3000', '+80']) expect(() => loadConfig({ PORT }), PORT).toThrow(/PORT/);
  });

  it('keeps recorded questions 365 days unless QUESTION_RETENTION_DAYS says 1 to 3650 whole days', () => {
    expect(loadConfig({}).QUESTION_RETENTION_DAYS).toBe(365);
    expect(loadConfig({ QUESTION_RETENTION_DAYS: '30' }).QUESTION_RETENTION_DAYS).toBe(30);
    for (const days of ['0', '3651', '7.5', 'abc']) expect(() => loadConfig({ QUESTION_RETENTION_DAYS: days }), days).toThrow(/QUESTION_RETENTION_DAYS/);
  });
});

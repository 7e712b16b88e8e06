import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('applies the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATA_DIR: './data', MEDIA_DIR: './media', LOG_LEVEL: 'info' });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('names the variable, the problem and the value for a bad port', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT: must be between 0 and 65535 \(got "70000"\)/);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT: /);
  });

  it('rejects an unknown log level and a database URL of another kind', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must start with postgres/);
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: '-1', LOA_ADMIN_PASSWORD: 'short' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/LOA_ADMIN_PASSWORD: must be at least 10 characters/);
    }
  });

  it('keeps heartbeat history 30 days unless told, and only a whole number of days from 1 to 3650', () => {
    expect(loadConfig({}).HEARTBEAT_RETENTION_DAYS).toBe(30);
    expect(loadConfig({ HEARTBEAT_RETENTION_DAYS: '7' }).HEARTBEAT_RETENTION_DAYS).toBe(7);
    expect(loadConfig({ HEARTBEAT_RETENTION_DAYS: '3650' }).HEARTBEAT_RETENTION_DAYS).toBe(3650);
    expect(() => loadConfig({ HEARTBEAT_RETENTION_DAYS: '0' })).toThrow(
      /HEARTBEAT_RETENTION_DAYS: must be between 1 and 3650 \(got "0"\)/,
    );
    expect(() => loadConfig({ HEARTBEAT_RETENTION_DAYS: '3651' })).toThrow(
      /HEARTBEAT_RETENTION_DAYS: must be between 1 and 3650/,
    );
    expect(() => loadConfig({ HEARTBEAT_RETENTION_DAYS: 'thirty' })).toThrow(
      /HEARTBEAT_RETENTION_DAYS: must be a whole number, written in digits \(got "thirty"\)/,
    );
    expect(() => loadConfig({ HEARTBEAT_RETENTION_DAYS: '1.5' })).toThrow(
      /HEARTBEAT_RETENTION_DAYS: must be a whole number/,
    );
  });

  it('keeps idle connections 75 s unless told, from 1 s to an hour', () => {
    expect(loadConfig({}).KEEP_ALIVE_S).toBe(75);
    expect(loadConfig({ KEEP_ALIVE_S: '120' }).KEEP_ALIVE_S).toBe(120);
    expect(() => loadConfig({ KEEP_ALIVE_S: '0' })).toThrow(
      /KEEP_ALIVE_S: must be between 1 and 3600 \(got "0"\)/,
    );
    expect(() => loadConfig({ KEEP_ALIVE_S: 'long' })).toThrow(/KEEP_ALIVE_S: must be a whole number/);
  });

  it('lets a request take an hour to arrive unless told, a long recording over a weak link', () => {
    expect(loadConfig({}).REQUEST_TIMEOUT_S).toBe(3600);
    expect(loadConfig({ REQUEST_TIMEOUT_S: '7200' }).REQUEST_TIMEOUT_S).toBe(7200);
    expect(() => loadConfig({ REQUEST_TIMEOUT_S: '0' })).toThrow(
      /REQUEST_TIMEOUT_S: must be between 1 and 86400 \(got "0"\)/,
    );
  });

  it('says the range of every whole-number variable it refuses', () => {
    expect(() => loadConfig({ UPLOAD_LIMIT_MB: '5000' })).toThrow(
      /UPLOAD_LIMIT_MB: must be between 1 and 4096 \(got "5000"\)/,
    );
    expect(() => loadConfig({ JOB_CONCURRENCY: '2.5' })).toThrow(/JOB_CONCURRENCY: must be a whole number/);
    expect(() => loadConfig({ MEDIA_MIN_FREE_MB: '-1' })).toThrow(/MEDIA_MIN_FREE_MB: must be 0 or more/);
  });

  it('takes TRUST_PROXY as the number of reverse proxies, true and false as 1 and 0', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(0);
    for (const [value, hops] of [
      ['false', 0],
      ['0', 0],
      ['true', 1],
      ['1', 1],
      ['2', 2],
      [' 3 ', 3],
      ['TRUE', 1],
    ] as const) {
      expect(loadConfig({ TRUST_PROXY: value }).TRUST_PROXY).toBe(hops);
    }
    for (const bad of ['yes', '-1', '1.5', '11', 'loopback', '10.0.0.1']) {
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(
        `TRUST_PROXY: must be the number of reverse proxies in front of Loa, from 0 to 10 (true means 1, false means 0) (got ${JSON.stringify(bad)})`,
      );
    }
  });

  it('takes a 32-byte secret key in base64, and never prints a wrong one', () => {
    const key = Buffer.alloc(32, 5).toString('base64');
    expect(loadConfig({ LOA_SECRET_KEY: key }).LOA_SECRET_KEY).toBe(key);
    expect(loadConfig({}).LOA_SECRET_KEY).toBeUndefined();
    try {
      loadConfig({ LOA_SECRET_KEY: 'c2hvcnQta2V5' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/LOA_SECRET_KEY: must be 32 random bytes in base64/);
      expect((error as Error).message).not.toContain('c2hvcnQta2V5');
    }
  });

  it('keeps webhooks to public addresses unless WEBHOOK_ALLOW_PRIVATE is 1', () => {
    expect(loadConfig({}).WEBHOOK_ALLOW_PRIVATE).toBe(false);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE: '1' }).WEBHOOK_ALLOW_PRIVATE).toBe(true);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'false' }).WEBHOOK_ALLOW_PRIVATE).toBe(false);
    expect(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow(
      /WEBHOOK_ALLOW_PRIVATE: must be 0 or 1/,
    );
  });

  it('treats a variable set to nothing as unset: its default, not 0 or an empty path', () => {
    const config = loadConfig({ DATABASE_URL: '', FFMPEG_PATH: ' ', PORT: '', MEDIA_MIN_FREE_MB: ' ' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.FFMPEG_PATH).toBeUndefined();
    expect(config.PORT).toBe(3000);
    expect(config.MEDIA_MIN_FREE_MB).toBe(512);
  });

  it('reads numbers written in digits only, and a database address that names a database', () => {
    expect(() => loadConfig({ PORT: '0x50' })).toThrow(/PORT: must be a whole number, written in digits/);
    expect(() => loadConfig({ UPLOAD_LIMIT_MB: '1e3' })).toThrow(/UPLOAD_LIMIT_MB: must be a whole number/);
    expect(() => loadConfig({ DATABASE_URL: 'sqlite:' })).toThrow(
      /DATABASE_URL: must start with .* and name the database/,
    );
    expect(loadConfig({ DATABASE_URL: 'sqlite:./data/loa.sqlite' }).DATABASE_URL).toBe(
      'sqlite:./data/loa.sqlite',
    );
  });

  it('never repeats a password in its errors: the sign-in passwords, nor one in a database address', () => {
    try {
      loadConfig({ DATABASE_URL: 'postgress://loa:Sup3rS3cret@db/loa', LOA_ADMIN_PASSWORD: 'short-pw' });
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('DATABASE_URL: must start with');
      expect(message).toContain('"postgress://loa:***@db/loa"');
      expect(message).toMatch(
        /LOA_ADMIN_PASSWORD: must be at least 10 characters\n|LOA_ADMIN_PASSWORD: must be at least 10 characters$/,
      );
      expect(message).not.toContain('Sup3rS3cret');
      expect(message).not.toContain('short-pw');
    }
    for (const [name, value, secret] of [
      ['DATABASE_URL', 'postgress://loa:p@ss@db/loa', 'ss@db'],
      ['CAP_FEEDS', '15:https://kttv:m4tkh4u@/cap.atom x:y', 'm4tkh4u'],
    ] as const) {
      const message = (() => {
        try {
          loadConfig({ [name]: value });
        } catch (error) {
          return (error as Error).message;
        }
        return '';
      })();
      expect(message).toContain(`${name}: `);
      expect(message).not.toContain(secret);
    }
  });

  it('takes whole numbers only, also where they come as numbers (an edge deployment’s vars)', () => {
    expect(() => loadConfig({ UPLOAD_LIMIT_MB: 100.5 as unknown as string })).toThrow(
      /UPLOAD_LIMIT_MB: must be a whole number/,
    );
  });
});

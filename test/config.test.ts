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

  it('treats empty optional values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', FFMPEG_PATH: ' ' })).toMatchObject({
      DATABASE_URL: undefined,
      FFMPEG_PATH: undefined,
    });
  });
});

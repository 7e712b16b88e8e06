import { describe, expect, it } from 'vitest';
import { lastLines, runTool, ToolRunError } from '../../src/media/runner.js';
import { StorageFullError } from '../../src/media/storage-full.js';

describe('runTool', () => {
  it('returns stdout and stderr of a run that succeeds', async () => {
    const result = await runTool('sh', ['-c', 'echo out; echo err >&2']);
    expect(result.stdout).toBe('out\n');
    expect(result.stderr).toBe('err\n');
  });

  it('passes arguments without a shell', async () => {
    const result = await runTool('printf', ['%s|', 'a b', '$(echo no)', ';']);
    expect(result.stdout).toBe('a b|$(echo no)|;|');
  });

  it('fails with the exit code and the last stderr lines', async () => {
    const error = await runTool('sh', [
      '-c',
      'for i in 1 2 3 4 5 6 7 8 9 10; do echo line$i >&2; done; exit 3',
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolRunError);
    const e = error as ToolRunError;
    expect(e.exitCode).toBe(3);
    expect(e.stderrTail).toBe(
      ['line3', 'line4', 'line5', 'line6', 'line7', 'line8', 'line9', 'line10'].join('\n'),
    );
    expect(e.message).toMatch(/sh exited with code 3:\nline3/);
  });

  it('kills a run that takes too long', async () => {
    const error = (await runTool('sleep', ['5'], { timeoutMs: 100 }).catch(
      (e: unknown) => e,
    )) as ToolRunError;
    expect(error.timedOut).toBe(true);
    expect(error.message).toMatch(/timed out/);
  });

  it('streams stdout to a callback, and reports a missing binary', async () => {
    const chunks: Buffer[] = [];
    await runTool('printf', ['abc'], { onStdout: (b) => chunks.push(b) });
    expect(Buffer.concat(chunks).toString()).toBe('abc');
    await expect(runTool('/no/such/tool', [])).rejects.toThrow(/could not be started/);
  });
});

describe('runTool on a full disk', () => {
  it('fails with StorageFullError when the tool says a write found no room, keeping the tool error as cause', async () => {
    const error = await runTool('sh', [
      '-c',
      'echo "av_interleaved_write_frame(): No space left on device" >&2; echo "Error writing trailer" >&2; exit 1',
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFullError);
    expect(error).toMatchObject({ retryable: true, cause: { exitCode: 1, tool: 'sh' } });
    expect((error as Error).message).toBe('No space left on the media disk while sh was writing');
  });

  it('leaves other failures as they are', async () => {
    const error = await runTool('sh', [
      '-c',
      'echo "Invalid data found when processing input" >&2; exit 1',
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolRunError);
  });
});

describe('lastLines', () => {
  it('keeps the last non-empty lines', () => {
    expect(lastLines('a\n\nb\r\nc\n', 2)).toBe('b\nc');
  });
});

/** The independent meter the audio targets are stated against: Debian's `loudgain -O`. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoudgainReading {
  readonly integratedLufs: number;
  readonly lraLu: number;
  readonly truePeakDbtp: number;
}

/** Measures a file with `loudgain -O` (tab-separated output, one line per file). */
export async function loudgain(path: string): Promise<LoudgainReading> {
  let stdout: string;
  try {
    ({ stdout } = await run('loudgain', ['-O', path]));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('loudgain is not installed; the audio tests need it: apt-get install loudgain');
    }
    throw error;
  }
  const line = stdout.trim().split('\n').pop() ?? '';
  const cols = line.split('\t');
  const value = (i: number): number => Number.parseFloat(cols[i] ?? '');
  const reading = { integratedLufs: value(1), lraLu: value(2), truePeakDbtp: value(4) };
  if (Object.values(reading).some(Number.isNaN))
    throw new Error(`loudgain printed an unexpected line: ${line}`);
  return reading;
}

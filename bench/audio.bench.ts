/**
 * Speed and accuracy of the audio pipeline on a 10-minute speech file, against a plain decode +
 * encode by the same ffmpeg (the speed target: at most 2×) and, for reference, the textbook
 * two-pass `loudnorm`. Run: `npx tsx bench/audio.bench.ts` (about two minutes).
 *
 * Wall time is the best of three runs; CPU time (ffmpeg's and Node's together) is read from
 * /proc, so it also holds on a machine shared with other work.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpeg, ffmpegVersion, type FfmpegBinaries } from '../src/media/ffmpeg-binaries.js';
import { buildBaselineArgs } from '../src/media/pipeline-args.js';
import { processAudio } from '../src/media/pipeline.js';
import { runTool } from '../src/media/runner.js';
import { DEFAULT_ENCODING_TARGETS } from '../src/media/targets.js';

const run = promisify(execFile);
const TEXT =
  'Thông báo của Ủy ban nhân dân xã Cốc San. Để chủ động phòng chống dịch bệnh cho đàn gia súc, gia cầm ' +
  'trong mùa đông xuân, Ủy ban nhân dân xã tổ chức tiêm phòng vắc xin lở mồm long móng và dịch tả lợn cho ' +
  'toàn bộ đàn vật nuôi trên địa bàn. Thời gian tiêm phòng bắt đầu từ ngày hai mươi sáu tháng mười một đến ' +
  'hết ngày mười lăm tháng mười hai. Đề nghị bà con các thôn nhốt giữ gia súc, gia cầm tại chuồng vào buổi ' +
  'sáng để cán bộ thú y đến tiêm. Bà con lưu ý không thả rông trâu bò lên rừng trong thời gian này. Mọi ' +
  'thắc mắc xin liên hệ với trưởng thôn hoặc cán bộ thú y xã để được hướng dẫn. Trời đang chuyển rét, bà ' +
  'con chú ý giữ ấm cho người già và trẻ nhỏ, che chắn chuồng trại cho vật nuôi. Xin trân trọng thông báo.';

/** CPU seconds of this process and of its finished children (Linux). */
async function cpuSeconds(): Promise<number | undefined> {
  try {
    const fields = (await readFile('/proc/self/stat', 'utf8')).split(') ')[1]?.split(' ') ?? [];
    const ticks = [11, 12, 13, 14].map((i) => Number(fields[i]));
    return ticks.reduce((a, b) => a + b, 0) / 100;
  } catch {
    return undefined;
  }
}

interface Timing {
  readonly wallS: number;
  readonly cpuS: number | undefined;
}

async function bestOf3(task: () => Promise<unknown>): Promise<Timing> {
  let best: Timing | undefined;
  for (let i = 0; i < 3; i++) {
    const cpu0 = await cpuSeconds();
    const t0 = performance.now();
    await task();
    const wallS = (performance.now() - t0) / 1000;
    const cpu1 = await cpuSeconds();
    const cpuS = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
    if (!best || wallS < best.wallS) best = { wallS, cpuS };
  }
  return best as Timing;
}

async function loudgain(path: string): Promise<string> {
  const { stdout } = await run('loudgain', ['-O', path]);
  const cols = (stdout.trim().split('\n').pop() ?? '').split('\t');
  return `${cols[1]}, true peak ${cols[4]}, LRA ${cols[2]}`;
}

/** Ten minutes of espeak-ng speech in three voices at two paces, about −30 LUFS, 48 kHz mono WAV. */
async function makeSpeech(dir: string, binaries: FfmpegBinaries): Promise<string> {
  const parts: string[] = [];
  for (const voice of ['vi', 'vi-vn-x-central', 'vi-vn-x-south']) {
    for (const pace of ['150', '175']) {
      const part = join(dir, `part-${voice}-${pace}.wav`);
      await run('espeak-ng', ['-v', voice, '-s', pace, '-w', part, TEXT]);
      parts.push(part);
    }
  }
  await writeFile(join(dir, 'parts.txt'), parts.map((p) => `file '${p}'`).join('\n'));
  const joined = join(dir, 'joined.wav');
  await runTool(binaries.ffmpeg, [
    '-v',
    'error',
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    join(dir, 'parts.txt'),
    '-c',
    'copy',
    '-y',
    joined,
  ]);
  const speech = join(dir, 'speech-10min.wav');
  const { stderr } = await runTool(binaries.ffmpeg, [
    '-hide_banner',
    '-i',
    joined,
    '-af',
    'ebur128=framelog=verbose',
    '-f',
    'null',
    '-',
  ]);
  const lufs = Number(/I:\s+(-?[\d.]+) LUFS/.exec(stderr)?.[1] ?? -20);
  await runTool(binaries.ffmpeg, [
    '-v',
    'error',
    '-stream_loop',
    '-1',
    '-i',
    joined,
    '-t',
    '600',
    '-af',
    `volume=${(-30 - lufs).toFixed(2)}dB,aresample=48000`,
    '-ac',
    '1',
    '-c:a',
    'pcm_s16le',
    '-y',
    speech,
  ]);
  return speech;
}

/** The textbook two-pass loudnorm: measure, then normalise with the measured values. */
async function loudnormTwoPass(binaries: FfmpegBinaries, input: string, output: string): Promise<void> {
  const target = 'I=-16:TP=-1.5:LRA=8';
  const { stderr } = await runTool(binaries.ffmpeg, [
    '-hide_banner',
    '-i',
    input,
    '-af',
    `loudnorm=${target}:print_format=json`,
    '-f',
    'null',
    '-',
  ]);
  const json = JSON.parse(stderr.slice(stderr.lastIndexOf('{'), stderr.lastIndexOf('}') + 1)) as Record<
    string,
    string
  >;
  const measured =
    `measured_I=${json.input_i}:measured_TP=${json.input_tp}:measured_LRA=${json.input_lra}:` +
    `measured_thresh=${json.input_thresh}:offset=${json.target_offset}:linear=true`;
  await runTool(binaries.ffmpeg, [
    '-v',
    'error',
    '-i',
    input,
    '-af',
    `loudnorm=${target}:${measured}`,
    '-ac',
    '1',
    '-ar',
    '44100',
    '-b:a',
    '64k',
    '-y',
    output,
  ]);
}

async function main(): Promise<void> {
  const binaries = await resolveFfmpeg(process.env);
  const dir = await mkdtemp(join(tmpdir(), 'loa-bench-'));
  try {
    console.log(
      `ffmpeg ${await ffmpegVersion(binaries.ffmpeg)} (${binaries.source}); making 10 minutes of speech…`,
    );
    const input = await makeSpeech(dir, binaries);
    console.log(`input: 600 s, 48 kHz mono 16-bit WAV, ${await loudgain(input)}\n`);
    if (process.env.LOA_BENCH_INPUT_ONLY) return;

    const baseline = await bestOf3(() =>
      runTool(binaries.ffmpeg, buildBaselineArgs(input, join(dir, 'baseline.mp3'), DEFAULT_ENCODING_TARGETS)),
    );
    let outputs: { path: string }[] = [];
    const pipeline = await bestOf3(async () => {
      await rm(join(dir, 'work'), { recursive: true, force: true });
      outputs = [...(await processAudio({ input, workDir: join(dir, 'work'), binaries })).outputs];
    });
    const withOpus = await bestOf3(async () => {
      await rm(join(dir, 'work-opus'), { recursive: true, force: true });
      await processAudio({
        input,
        workDir: join(dir, 'work-opus'),
        binaries,
        targets: { ...DEFAULT_ENCODING_TARGETS, opus: true },
      });
    });
    const loudnorm = await bestOf3(() => loudnormTwoPass(binaries, input, join(dir, 'loudnorm.mp3')));

    const row = (name: string, t: Timing): string => {
      const wall = `${t.wallS.toFixed(2).padStart(6)} s  ×${(t.wallS / baseline.wallS).toFixed(2)}`;
      const cpu =
        t.cpuS !== undefined && baseline.cpuS
          ? `${t.cpuS.toFixed(2).padStart(6)} s  ×${(t.cpuS / baseline.cpuS).toFixed(2)}`
          : 'n/a';
      return `${name.padEnd(42)} ${wall}    ${cpu}`;
    };
    console.log(`${'best of 3'.padEnd(42)} ${'wall'.padEnd(15)}    cpu`);
    console.log(row('baseline: ffmpeg -i in -ac 1 -ar 44100 -b:a 64k', baseline));
    console.log(row('processAudio (MP3)', pipeline));
    console.log(row('processAudio (MP3 + Opus)', withOpus));
    console.log(row('two-pass loudnorm (reference)', loudnorm));
    console.log('');
    const mp3 = outputs[0]?.path ?? '';
    const ours = await loudgain(mp3);
    const error = Number.parseFloat(ours) + 16;
    console.log(
      `loudgain -O, processAudio MP3:   ${ours}; error ${error >= 0 ? '+' : ''}${error.toFixed(2)} LU`,
    );
    console.log(`loudgain -O, two-pass loudnorm:  ${await loudgain(join(dir, 'loudnorm.mp3'))}`);
  } finally {
    if (process.env.LOA_BENCH_KEEP) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

await main();

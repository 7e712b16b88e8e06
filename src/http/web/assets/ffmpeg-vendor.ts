import packageJson from '../../../../package.json' with { type: 'json' };
import { paths } from '../paths.js';

/**
 * ffmpeg for the browser (`@ffmpeg/ffmpeg` and its single-thread `@ffmpeg/core`, so no
 * SharedArrayBuffer and no cross-origin isolation is needed), served from this origin under a
 * versioned address and cached for good. The core's WebAssembly (32 MB) is served in parts under
 * Workers' 25 MiB limit on a static file; the page joins them.
 */
const ffmpegVersion = packageJson.dependencies['@ffmpeg/ffmpeg'];
const coreVersion = packageJson.dependencies['@ffmpeg/core'];

/** Where the files live: a new version of either package is a new address. */
export const ffmpegBase = `${paths.assets}/ffmpeg/${ffmpegVersion}-${coreVersion}`;

/** Bytes of each part of the core's WebAssembly. */
export const WASM_PART_BYTES = 16 * 1024 * 1024;
/** Parts of `ffmpeg-core.wasm` (32,232,419 bytes in 0.12.10; a test holds the count to the file). */
export const WASM_PARTS = 2;

export interface VendorFile {
  /** Name under `ffmpegBase`. */
  readonly name: string;
  /** The installed file it is read from, under node_modules. */
  readonly from: string;
  readonly type: string;
  /** Which part of the file, for the WebAssembly. */
  readonly part?: number;
}

const js = 'text/javascript; charset=utf-8';
const classes = ['index.js', 'classes.js', 'const.js', 'errors.js', 'types.js', 'utils.js', 'worker.js'];

export const vendorFiles: readonly VendorFile[] = [
  ...classes.map((name) => ({ name: `ffmpeg/${name}`, from: `@ffmpeg/ffmpeg/dist/esm/${name}`, type: js })),
  { name: 'core/ffmpeg-core.js', from: '@ffmpeg/core/dist/esm/ffmpeg-core.js', type: js },
  ...Array.from({ length: WASM_PARTS }, (_, part) => ({
    name: `core/ffmpeg-core.wasm.${part}`,
    from: '@ffmpeg/core/dist/esm/ffmpeg-core.wasm',
    type: 'application/octet-stream',
    part,
  })),
];

/** Addresses the page loads ffmpeg from. */
export const ffmpegUrls = {
  module: `${ffmpegBase}/ffmpeg/index.js`,
  core: `${ffmpegBase}/core/ffmpeg-core.js`,
  wasmParts: Array.from({ length: WASM_PARTS }, (_, part) => `${ffmpegBase}/core/ffmpeg-core.wasm.${part}`),
} as const;

import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The mpg123 WebAssembly that `mpg123-decoder` embeds (compressed, in its Emscripten glue), as bytes.
 * Workers cannot compile it from those bytes at run time, so `src/media/mpg123.wasm` is this, written
 * by `npm run wasm:mpg123` and imported by the Worker, which wrangler compiles when it bundles.
 */
export async function extractMpg123Wasm(): Promise<Uint8Array> {
  // The package exports only its entry; its glue is read from the installed files.
  const root = dirname(fileURLToPath(import.meta.resolve('mpg123-decoder')));
  const glue = (await import(pathToFileURL(join(root, 'src', 'EmscriptenWasm.js')).href)) as {
    default: new (common: unknown) => unknown;
  };
  const { WASMAudioDecoderCommon } = (await import('@wasm-audio-decoders/common')) as unknown as {
    WASMAudioDecoderCommon: (new () => unknown) & {
      inflateDynEncodeString(text: string): Promise<Uint8Array>;
    };
  };
  // Both set up their static members when first constructed.
  new WASMAudioDecoderCommon();
  new glue.default(WASMAudioDecoderCommon);
  const text = (glue.default as unknown as { wasm: string }).wasm;
  return WASMAudioDecoderCommon.inflateDynEncodeString(text);
}

// `npm run wasm:mpg123` runs this file to write `src/media/mpg123.wasm` after an upgrade of the package.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = new URL('./mpg123.wasm', import.meta.url);
  writeFileSync(target, await extractMpg123Wasm());
  process.stdout.write(`wrote ${target.pathname}\n`);
}

declare module 'espeak-ng' {
  interface EspeakModule {
    FS: { readFile(path: string): Uint8Array; writeFile(path: string, data: string): void };
  }
  /** Runs espeak-ng's command line once in a fresh WebAssembly instance. */
  export default function ESpeakNg(options: {
    arguments: string[];
    preRun?: ((module: EspeakModule) => void)[];
  }): Promise<EspeakModule>;
}

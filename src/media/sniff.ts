import type { AudioInspector, Inspection } from '../domain/ports/audio.js';
import { rejections } from './rejection.js';

/** A container Loa accepts, as its first bytes show it. */
export type SniffedFormat = 'wav' | 'mp3' | 'ogg' | 'webm' | 'mp4' | 'amr' | 'flac';

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));

/**
 * The container of a file from its first 16 bytes, or what else it is: where no ffprobe runs (the edge
 * profile), a file that is plainly not audio is refused at the door, and the rest goes to a processing
 * node, whose ffprobe has the last word.
 *
 * @example sniffAudio(new TextEncoder().encode('%PDF-1.7…')) // { kind: 'other' }
 */
export function sniffAudio(
  head: Uint8Array,
): { readonly format: SniffedFormat } | { readonly kind: 'image' | 'video' | 'other' | 'empty' } {
  if (head.length === 0) return { kind: 'empty' };
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return { format: 'wav' };
  if (ascii(head, 0, 'ID3') || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0))
    return { format: 'mp3' };
  if (ascii(head, 0, 'OggS')) return { format: 'ogg' };
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return { format: 'webm' };
  if (ascii(head, 4, 'ftyp')) return ascii(head, 8, 'qt') ? { kind: 'video' } : { format: 'mp4' };
  if (ascii(head, 0, '#!AMR')) return { format: 'amr' };
  if (ascii(head, 0, 'fLaC')) return { format: 'flac' };
  if (ascii(head, 1, 'PNG') || (head[0] === 0xff && head[1] === 0xd8) || ascii(head, 0, 'GIF8')) {
    return { kind: 'image' };
  }
  return { kind: 'other' };
}

/**
 * The check at the door where there is no ffprobe: the container is sniffed, plainly wrong files are
 * refused with the pipeline's own words (415), and the rest is accepted for the processing node, which
 * probes it and refuses what the sniff could not tell.
 */
export function createSniffingInspector(readHead: (key: string) => Promise<Uint8Array>): AudioInspector {
  return {
    async inspect(key): Promise<Inspection> {
      const sniffed = sniffAudio(await readHead(key));
      if ('kind' in sniffed) {
        return {
          ok: false,
          rejection: sniffed.kind === 'empty' ? rejections.empty() : rejections.noAudio(sniffed.kind),
        };
      }
      return {
        ok: true,
        // Nothing is known yet but the container: the processing node probes the file again.
        probe: { codec: 'unknown', formatName: sniffed.format, durationMs: 0, channels: 0, sampleRate: 0 },
        headLufs: undefined,
      };
    },
  };
}

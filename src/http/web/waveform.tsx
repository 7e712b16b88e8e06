/**
 * The waveform of a processed recording as a small inline SVG: one vertical stroke per peak (0..1) from
 * the pipeline, drawn as a single path so that 400 peaks cost about 5 KB, and no script.
 */
export function Waveform({ peaks, label }: { peaks: readonly number[]; label: string }) {
  const n = Math.max(1, peaks.length);
  const d = peaks
    .map((p, i) => {
      const h = Math.max(0.5, Math.min(1, Math.max(0, p)) * 48);
      return `M${i + 0.5} ${(50 - h).toFixed(1)}V${(50 + h).toFixed(1)}`;
    })
    .join('');
  return (
    <svg class="waveform" viewBox={`0 0 ${n} 100`} preserveAspectRatio="none" role="img" aria-label={label}>
      <path d={d} stroke="#0b4f8a" stroke-width="0.8" fill="none" />
    </svg>
  );
}

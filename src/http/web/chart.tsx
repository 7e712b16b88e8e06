export interface DayRate {
  /** Local date YYYY-MM-DD. */
  readonly date: string;
  /** played / (played + failed + missed), or null when nothing was due that day. */
  readonly rate: number | null;
}

/**
 * Play rate per day as a bar chart in inline SVG, drawn on the server: no chart library, no script.
 * Days without anything due show a short grey mark, so "no data" never reads as 0 %.
 */
export function RateChart({
  days,
  label,
  noData,
}: {
  days: readonly DayRate[];
  label: string;
  noData: string;
}) {
  const barW = 24;
  const gap = 6;
  const top = 10;
  const h = 120;
  const left = 36;
  const width = left + days.length * (barW + gap) + gap;
  const height = top + h + 34;
  const y = (rate: number) => top + h - rate * h;
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      style={`max-width:${Math.round(Math.max(width * 1.8, 320))}px`}
    >
      {[0, 0.5, 1].map((r) => (
        <g>
          <line x1={left} x2={width} y1={y(r)} y2={y(r)} stroke="#c9d1db" stroke-width="1" />
          <text x={left - 4} y={y(r) + 4} text-anchor="end" font-size="11" fill="#374151">
            {`${Math.round(r * 100)}%`}
          </text>
        </g>
      ))}
      {days.map((d, i) => {
        const x = left + gap + i * (barW + gap);
        const title = `${d.date}: ${d.rate === null ? noData : `${Math.round(d.rate * 100)} %`}`;
        return (
          <g>
            <title>{title}</title>
            {d.rate === null ? (
              <rect x={x} y={y(0) - 3} width={barW} height={3} fill="#9ca3af" />
            ) : (
              <rect
                x={x}
                y={y(d.rate)}
                width={barW}
                height={Math.max(1, d.rate * h)}
                fill={d.rate >= 0.9 ? '#1f7a3f' : d.rate >= 0.6 ? '#b7791f' : '#b42318'}
              />
            )}
            <text x={x + barW / 2} y={top + h + 14} text-anchor="middle" font-size="11" fill="#374151">
              {d.date.slice(8, 10)}
            </text>
            <text x={x + barW / 2} y={top + h + 28} text-anchor="middle" font-size="9" fill="#4b5563">
              {d.date.slice(5, 7)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

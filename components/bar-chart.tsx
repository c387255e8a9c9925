/** A small server-rendered bar chart (SVG), with the numbers in a table for screen readers. */
export function BarChart({ title, bars }: { title: string; bars: { label: string; value: number }[] }) {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const width = 600;
  const height = 120;
  const step = width / Math.max(bars.length, 1);
  return (
    <figure className="space-y-1">
      <figcaption className="text-sm font-medium">{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 16}`} className="h-36 w-full" role="img" aria-label={title}>
        {bars.map((bar, index) => {
          const barHeight = Math.round((bar.value / max) * height);
          return (
            <g key={bar.label}>
              <title>{`${bar.label}: ${bar.value.toLocaleString("en-US")}`}</title>
              <rect x={index * step + 1} y={height - barHeight} width={Math.max(step - 2, 1)} height={barHeight} className="fill-sky-600" />
            </g>
          );
        })}
        <line x1="0" y1={height} x2={width} y2={height} className="stroke-slate-300" />
        <text x="0" y={height + 13} className="fill-slate-500 text-[10px]">
          {bars[0]?.label}
        </text>
        <text x={width} y={height + 13} textAnchor="end" className="fill-slate-500 text-[10px]">
          {bars.at(-1)?.label}
        </text>
      </svg>
      {/* sr-only on a wrapper: a table keeps its content's width, and would widen a phone's page. */}
      <div className="sr-only">
        <table>
          <caption>{title}</caption>
          <tbody>
            {bars.map((bar) => (
              <tr key={bar.label}>
                <th scope="row">{bar.label}</th>
                <td>{bar.value.toLocaleString("en-US")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
